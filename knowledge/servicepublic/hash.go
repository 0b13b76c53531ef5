package servicepublic

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/boussole/boussole/knowledge"
)

// Hash returns a stable content hash of an item, for idempotent re-import:
// an unchanged sheet hashes the same and is left untouched. It is the
// SHA-256, in hex, of the item's JSON encoding without Pos — the same
// encoding bot/store keeps, so the two agree. encoding/json writes struct
// fields in declaration order and the item holds no map, so the encoding
// is deterministic; an item that cannot be encoded (it always can) hashes
// to "".
func Hash(it *knowledge.Item) string {
	if it == nil {
		return ""
	}
	c := *it
	c.Pos = knowledge.Pos{}
	b, err := json.Marshal(&c)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
