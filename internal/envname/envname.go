// Package envname checks the configuration keys that name an environment
// variable holding a secret (the *_env keys of the adapters' and the llm sections).
package envname

import "fmt"

// Check reports whether v, the value of key, names an environment variable
// (capital letters, digits, underscores) rather than holding a secret
// pasted there. The value is never repeated: if it is a token, it must
// not reach a log or a terminal.
func Check(key, v string) error {
	if v == "" {
		return fmt.Errorf("%s: name the environment variable that holds the secret (such as DISCORD_TOKEN)", key)
	}
	ok := len(v) <= 64
	for i, r := range v {
		if !(r == '_' || 'A' <= r && r <= 'Z' || i > 0 && '0' <= r && r <= '9') {
			ok = false
		}
	}
	if !ok {
		return fmt.Errorf("%s: must be the name of an environment variable (capital letters, digits, _), such as DISCORD_TOKEN, never the secret itself; if you pasted a token here, remove it and consider it leaked", key)
	}
	return nil
}
