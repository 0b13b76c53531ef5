// Package engine is Boussole's conversation engine: a turn takes a
// conversation's stored state, one incoming message, the knowledge in
// force and the clock, and returns the new state, the replies and the
// case changes, all committed in one store transaction (or none).
//
// A turn reads, in this order: the danger layer (emergency numbers first,
// in every state), where the person is and which language they write,
// the mediator's side or the citizen's side of a case, the global
// commands, a follow-up about the sheet under discussion (« et ça coûte
// combien ? »), the choices on offer, the current tree's question, and
// finally a search, read against that sheet's neighbours when it finds
// nothing confident, whose hits the answer policy (bot/answer) turns into
// an answer, a few offers or « I did not understand ».
//
// Files: engine.go (New, Respond, the transaction), turn.go (routing a
// message), tree.go (orientation trees), freetext.go (search and answer),
// details.go (an answer's parts on demand, a leaf's sheets to pick from),
// followup.go (follow-ups read against the topic under discussion),
// commands.go and words.go (global commands and the catalogue's words),
// danger.go, citizen_case.go and mediate.go (the two sides of a case),
// casetext.go (what mediators read), store.go (the storage interfaces).
// The engine sends nothing: bot/delivery does.
package engine
