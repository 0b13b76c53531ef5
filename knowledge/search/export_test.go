package search

// Knobs lets the tuning test vary internal constants.
var Knobs = map[string]*float64{}

func init() {
	Knobs["link"] = &linkWeight
	Knobs["hub"] = &priorHub
	Knobs["res"] = &priorResource
	Knobs["guided"] = &priorGuided
	Knobs["exact"] = &exactBoost
	Knobs["kwfocus"] = &keywordFocus
	Knobs["ftitle"] = &facetTitleBoost
	Knobs["fctx"] = &facetContextBoost
	Knobs["fdemote"] = &facetDemote
	Knobs["aud"] = &audienceDemote
	Knobs["nb"] = &neighbourWeight
	Knobs["mention"] = &mentionBoost
	Knobs["partial"] = &partialPhrase
	Knobs["mcap"] = &matchCap
	Knobs["ctx"] = &contextWeight

}

// HeadOf exposes headOf to the external tests.
var HeadOf = headOf
