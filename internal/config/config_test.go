package config

import (
	"flag"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

func TestTheREADMEListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings {
		if !strings.Contains(string(readme), "`"+s.Env+"`") || !strings.Contains(string(readme), "`--"+s.Flag+"`") {
			t.Errorf("README's configuration table lacks %s (--%s)", s.Env, s.Flag)
		}
	}
}

func TestFlagsWinOverTheEnvironment(t *testing.T) {
	t.Setenv("STATIONFLOW_HTTP_ADDR", "127.0.0.1:9000")
	t.Setenv("STATIONFLOW_WORKDAY", "2s")
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := Bind(fs)
	if c.HTTPAddr != "127.0.0.1:9000" || c.Workday != 2*time.Second || c.ReviewDue != 10 {
		t.Fatalf("from the environment: %+v", c)
	}
	if err := fs.Parse([]string{"--http-addr", "127.0.0.1:9100", "--workday", "500ms"}); err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:9100" || c.Workday != 500*time.Millisecond {
		t.Fatalf("flags: %+v", c)
	}
	if err := fs.Parse([]string{"--workday", "soon"}); err == nil {
		t.Fatal("a malformed workday was accepted")
	}
}
