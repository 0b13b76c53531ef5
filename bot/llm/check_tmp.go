package llm

// TEMPORARY until the post-check lands (helper branch llm-check).

type Source struct {
	N    int
	Text string
}

type CheckWords struct{}

func Check(answer string, sources []Source, question string, words CheckWords) error { return nil }
