package experiment

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chromiumPath is the Debian package's binary (apt-get install chromium).
const chromiumPath = "/usr/bin/chromium"

// chromium runs headless Chromium on the file with extra flags and returns
// its stdout and stderr (logging enabled).
func chromium(t *testing.T, file string, extra ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0", "--window-size=1280,2000"}, extra...)
	args = append(args, "file://"+file)
	cmd := exec.CommandContext(ctx, chromiumPath, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", extra, err, errb.String())
	}
	return out.String(), errb.String()
}

// consoleLines returns the page's console messages found in Chromium's log
// (the report has no script, so any console output, e.g. an uncaught error
// or a resource that failed to load, is a defect).
var consoleRE = regexp.MustCompile(`(?m)^.*(:CONSOLE|Uncaught|Failed to load resource).*$`)

func consoleLines(log string) []string { return consoleRE.FindAllString(log, -1) }

// TestReportRendersInChromium renders the report in headless Chromium, takes
// a screenshot, checks that it is not blank and that the page logged no
// console message, and that the DOM holds the report's sections. The
// console detector is first shown to catch a page with a script error.
func TestReportRendersInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("chromium not installed (%v); install the Debian package chromium to run this test", err)
	}
	// The detector must see a broken page's errors.
	bad := filepath.Join(t.TempDir(), "bad.html")
	if err := os.WriteFile(bad, []byte(`<html><body><p>x</p><script>undefinedFunction();</script></body></html>`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, log := chromium(t, bad, "--dump-dom"); len(consoleLines(log)) == 0 {
		t.Fatalf("console detector missed an uncaught error; log:\n%s", log)
	}

	rep := tinyRun(t)
	shot := filepath.Join(t.TempDir(), "shot.png")
	_, log := chromium(t, rep.Path, "--screenshot="+shot)
	if c := consoleLines(log); len(c) > 0 {
		t.Errorf("console messages while rendering the report:\n%s", strings.Join(c, "\n"))
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// Not blank: a good share of the pixels differ from the background
	// (top-left pixel), and some are dark (text).
	bg := img.At(0, 0)
	br, bgG, bb, _ := bg.RGBA()
	var differ, dark, total int
	bnd := img.Bounds()
	for y := bnd.Min.Y; y < bnd.Max.Y; y += 2 {
		for x := bnd.Min.X; x < bnd.Max.X; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			total++
			if r != br || g != bgG || b != bb {
				differ++
			}
			if r < 0x4000 && g < 0x4000 && b < 0x4000 {
				dark++
			}
		}
	}
	t.Logf("screenshot %dx%d: %.1f%% non-background, %.2f%% dark pixels", bnd.Dx(), bnd.Dy(), 100*float64(differ)/float64(total), 100*float64(dark)/float64(total))
	if float64(differ) < 0.03*float64(total) || dark < 200 {
		t.Errorf("screenshot looks blank: %d of %d sampled pixels differ from the background, %d dark", differ, total, dark)
	}
	dom, log := chromium(t, rep.Path, "--dump-dom")
	if c := consoleLines(log); len(c) > 0 {
		t.Errorf("console messages while loading the report:\n%s", strings.Join(c, "\n"))
	}
	for _, want := range []string{"E1 Equivalence", "E4 verdicts", "<img", "data:image/png;base64,"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
}
