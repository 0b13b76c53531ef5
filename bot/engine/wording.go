package engine

import "github.com/boussole/boussole/bot/answer"

// w writes knowledge for the person of this turn, in their language.
func (t *turn) w() answer.Writer { return answer.NewWriter(t.e.cat, t.conv.Lang) }
