package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"strings"
	"testing"
)

// The test binary doubles as the stationflow binary: run with
// STATIONFLOW_AS_BINARY=1 it is the command itself, so the end-to-end tests
// drive real processes they can kill without building a second binary.
func TestMain(m *testing.M) {
	if os.Getenv("STATIONFLOW_AS_BINARY") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestHelpShowsEveryCommandAndSetting(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, c := range commands() {
		if !strings.Contains(out.String(), c.name) {
			t.Errorf("--help lacks %s", c.name)
		}
	}
	fs, _ := flags("dev", "")
	var flagsOut bytes.Buffer
	fs.SetOutput(&flagsOut)
	fs.PrintDefaults()
	for _, env := range []string{"DATABASE_URL", "STATIONFLOW_DATA_DIR", "STATIONFLOW_HTTP_ADDR", "STATIONFLOW_TEMPORAL_PORT", "TEMPORAL_ADDRESS", "STATIONFLOW_WORKDAY"} {
		if !strings.Contains(flagsOut.String(), env) {
			t.Errorf("dev --help lacks %s", env)
		}
	}
}

// A development command asked of a build without it names the build that
// has it; any other name is simply unknown.
func TestDevCommandsNameTheBuildThatHasThem(t *testing.T) {
	for _, name := range devOnly {
		if err := unknownCommand(name); err == nil || !strings.Contains(err.Error(), "-tags dev") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := unknownCommand("serve"); err == nil || err.Error() != `unknown command "serve"` {
		t.Errorf("serve: %v", err)
	}
}
