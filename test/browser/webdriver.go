// Package browser holds the end-to-end checks that need a real browser:
// the HTML reports and an exported notebook render their figures in headless
// Chromium without console errors, and the tour notebook runs in the classic
// Jupyter Notebook server. The tests skip, saying why, when Chromium,
// chromedriver, Jupyter or the neurocrypt kernel are absent.
//
// Chromium is driven through chromedriver's W3C WebDriver HTTP API (plain
// JSON over HTTP, so no dependency beyond the standard library);
// chromedriver ships beside Chromium in Debian (`apt-get install chromium
// chromium-driver`).
package browser

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// ChromiumArgs are the flags headless Chromium runs with: no sandbox (CI
// runs as root), no GPU, no first-run UI, no background network traffic.
var ChromiumArgs = []string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
	"--disable-background-networking", "--disable-dev-shm-usage", "--window-size=1280,1024"}

// Driver is a running chromedriver with one browser session.
type Driver struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:port
	session string
	client  *http.Client
}

// FindChromium returns the paths of a Chromium binary and of chromedriver,
// or an error saying what is missing.
func FindChromium() (chromium, driver string, err error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, e := exec.LookPath(name); e == nil {
			chromium = p
			break
		}
	}
	driver, _ = exec.LookPath("chromedriver")
	switch {
	case chromium == "" && driver == "":
		return "", "", errors.New("Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
	case chromium == "":
		return "", "", errors.New("Chromium is not installed (apt-get install chromium)")
	case driver == "":
		return "", "", errors.New("chromedriver is not installed (apt-get install chromium-driver)")
	}
	return chromium, driver, nil
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartDriver starts chromedriver and a headless Chromium session that
// records the browser console.
func StartDriver(ctx context.Context, chromium, driver string) (*Driver, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	d := &Driver{base: "http://127.0.0.1:" + strconv.Itoa(port), client: &http.Client{Timeout: 2 * time.Minute}}
	d.cmd = exec.CommandContext(ctx, driver, "--port="+strconv.Itoa(port), "--allowed-ips=127.0.0.1")
	d.cmd.Stdout, d.cmd.Stderr = io.Discard, io.Discard
	if err := d.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", driver, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var status struct {
			Value struct{ Ready bool } `json:"value"`
		}
		if err := d.call(http.MethodGet, "/status", nil, &status); err == nil && status.Value.Ready {
			break
		}
		if time.Now().After(deadline) {
			d.Close()
			return nil, fmt.Errorf("%s did not become ready on port %d", driver, port)
		}
		time.Sleep(100 * time.Millisecond)
	}
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName":        "chrome",
		"goog:chromeOptions": map[string]any{"binary": chromium, "args": ChromiumArgs},
		"goog:loggingPrefs":  map[string]string{"browser": "ALL"},
	}}}
	var resp struct {
		Value struct {
			SessionID string `json:"sessionId"`
		} `json:"value"`
	}
	if err := d.call(http.MethodPost, "/session", caps, &resp); err != nil {
		d.Close()
		return nil, fmt.Errorf("new browser session: %w", err)
	}
	d.session = resp.Value.SessionID
	return d, nil
}

// Close ends the session and stops chromedriver.
func (d *Driver) Close() {
	if d.session != "" {
		_ = d.call(http.MethodDelete, "/session/"+d.session, nil, nil)
		d.session = ""
	}
	if d.cmd != nil && d.cmd.Process != nil {
		_ = d.cmd.Process.Kill()
		_ = d.cmd.Wait()
	}
}

// call sends one WebDriver command and decodes its reply into out.
func (d *Driver) call(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, d.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Value struct{ Error, Message string } `json:"value"`
		}
		_ = json.Unmarshal(b, &e)
		return fmt.Errorf("webdriver %s %s: %s: %s", method, path, e.Value.Error, e.Value.Message)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// Navigate loads url and waits for the page load.
func (d *Driver) Navigate(url string) error {
	return d.call(http.MethodPost, "/session/"+d.session+"/url", map[string]string{"url": url}, nil)
}

// Eval runs a script (a function body; arguments in `arguments`) in the
// page and decodes its return value into out.
func (d *Driver) Eval(script string, out any, args ...any) error {
	if args == nil {
		args = []any{}
	}
	var resp struct {
		Value json.RawMessage `json:"value"`
	}
	if err := d.call(http.MethodPost, "/session/"+d.session+"/execute/sync", map[string]any{"script": script, "args": args}, &resp); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(resp.Value, out)
}

// LogEntry is one browser console message.
type LogEntry struct {
	Level     string `json:"level"` // SEVERE, WARNING, INFO, DEBUG
	Message   string `json:"message"`
	Source    string `json:"source"`
	Timestamp int64  `json:"timestamp"`
}

// ConsoleLog returns (and clears) the console messages since the last call:
// console.* calls, uncaught exceptions and failed resource loads.
func (d *Driver) ConsoleLog() ([]LogEntry, error) {
	var resp struct {
		Value []LogEntry `json:"value"`
	}
	if err := d.call(http.MethodPost, "/session/"+d.session+"/se/log", map[string]string{"type": "browser"}, &resp); err != nil {
		return nil, err
	}
	return resp.Value, nil
}

// WaitFor polls a script returning a boolean until it is true or timeout.
func (d *Driver) WaitFor(script string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		var ok bool
		err := d.Eval(script, &ok)
		if err == nil && ok {
			return nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return fmt.Errorf("waiting for %q: %w", script, err)
			}
			return fmt.Errorf("timed out after %s waiting for %q", timeout, script)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// fileExists reports whether path exists.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// SetWindowSize resizes the browser window so that the page's viewport
// (window.innerWidth × window.innerHeight) is width × height CSS pixels:
// it sets the outer size, then corrects it by the window's chrome (the
// difference between outer and inner size, zero in headless Chromium).
func (d *Driver) SetWindowSize(width, height int) error {
	set := func(w, h int) error {
		return d.call(http.MethodPost, "/session/"+d.session+"/window/rect", map[string]int{"width": w, "height": h}, nil)
	}
	if err := set(width, height); err != nil {
		return err
	}
	var inner struct{ W, H int }
	if err := d.Eval(`return {W: window.innerWidth, H: window.innerHeight}`, &inner); err != nil {
		return err
	}
	if inner.W == width && inner.H == height {
		return nil
	}
	if err := set(2*width-inner.W, 2*height-inner.H); err != nil {
		return err
	}
	if err := d.Eval(`return {W: window.innerWidth, H: window.innerHeight}`, &inner); err != nil {
		return err
	}
	if inner.W != width {
		return fmt.Errorf("viewport is %d px wide after resizing, want %d", inner.W, width)
	}
	return nil
}

// Screenshot returns a PNG of the whole page (not only the viewport), up
// to maxHeight CSS pixels from the top, at the current viewport width. It
// uses the DevTools command Page.captureScreenshot through chromedriver.
func (d *Driver) Screenshot(maxHeight int) ([]byte, error) {
	var size struct{ W, H float64 }
	if err := d.Eval(`return {W: window.innerWidth, H: Math.max(document.documentElement.scrollHeight, window.innerHeight)}`, &size); err != nil {
		return nil, err
	}
	size.H = min(size.H, float64(maxHeight))
	params := map[string]any{"format": "png", "captureBeyondViewport": true,
		"clip": map[string]float64{"x": 0, "y": 0, "width": size.W, "height": size.H, "scale": 1}}
	var resp struct {
		Value struct {
			Data string `json:"data"`
		} `json:"value"`
	}
	if err := d.call(http.MethodPost, "/session/"+d.session+"/goog/cdp/execute",
		map[string]any{"cmd": "Page.captureScreenshot", "params": params}, &resp); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(resp.Value.Data)
}
