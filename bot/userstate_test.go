package bot

import (
	"strings"
	"testing"
)

func TestUserStateKeyDoesNotPrefixAnotherUser(t *testing.T) {
	users := []string{"12", "12/", "12.3", "123", "1/2", "1%2F2", ""}
	for _, u := range users {
		for _, v := range users {
			if u != v && strings.HasPrefix(UserStateKey("discord", v)+"thread.1", UserStateKey("discord", u)) {
				t.Errorf("the keys of %q start with the prefix of %q", v, u)
			}
		}
	}
	if strings.HasPrefix(UserStateKey("discordx", "1"), UserStateKey("discord", "1")) {
		t.Error("platforms share a prefix")
	}
}
