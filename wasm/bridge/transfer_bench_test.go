package bridge

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkTransferImportCSV10k imports a 10,000-login CSV into an empty
// local vault (parse, build entries, seal, one journal write).
func BenchmarkTransferImportCSV10k(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("name,url,username,password,note\r\n")
	for i := 0; i < 10_000; i++ {
		fmt.Fprintf(&sb, "Site %d,https://site%d.example/login,user%d@example.org,pw-%d-secret,\r\n", i, i, i, i)
	}
	csv := sb.String()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c, kr := newVault(b)
		localEngine(b, c, kr)
		b.StartTimer()
		res, err := c.Call("transferImportCSV", goArgs([]any{csv}))
		if err != nil {
			b.Fatal(err)
		}
		if !strings.Contains(string(res.(JSON)), `"imported":10000`) {
			b.Fatalf("%.200s", res.(JSON))
		}
	}
}
