package servicepublic_test

import (
	"context"
	"testing"

	"github.com/boussole/boussole/knowledge/servicepublic"
)

// BenchmarkReadAll reads the three real zips (7,591 sheets, 78 MB of XML)
// with all cores.
func BenchmarkReadAll(b *testing.B) {
	paths := zipPaths(b)
	b.ReportAllocs()
	for b.Loop() {
		res, err := servicepublic.Read(context.Background(), paths, nil)
		if err != nil {
			b.Fatal(err)
		}
		if res.Sheets != 7591 {
			b.Fatalf("%d sheets", res.Sheets)
		}
	}
	b.ReportMetric(float64(7591*b.N)/b.Elapsed().Seconds(), "sheets/s")
}

// BenchmarkParseSheet parses one large real sheet on one core.
func BenchmarkParseSheet(b *testing.B) {
	data := realSheet(b, "F1344")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := servicepublic.ParseSheet("F1344.xml", data); err != nil {
			b.Fatal(err)
		}
	}
}
