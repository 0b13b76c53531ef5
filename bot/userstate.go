package bot

import "net/url"

// UserStateKey is the prefix of the adapter-state keys (the store's
// adapter_state) that an adapter keeps about one user of platform, such as
// the private thread it opened for them. Keys tied to a person must start
// with it so that erasing the person (« oublie-moi », the store's
// ForgetUser) finds and deletes them. The user id is escaped and ends with
// "/": user "12" does not prefix user "12.3"'s keys.
func UserStateKey(platform, user string) string {
	return platform + ".user/" + url.PathEscape(user) + "/"
}
