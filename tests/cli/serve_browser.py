#!/usr/bin/env python3
"""serve_browser.py URL SCHEDULE SCRATCH: drive `utsim serve`'s page in headless
Chromium through chromedriver (Debian's chromium-driver), with a WebDriver
client written on the standard library (no selenium, nothing from a registry).

It picks the R2 race scenario, clicks the threads of SCHEDULE (a counterexample
of `utsim check --json`), then the default thread until the violation shows,
and checks what the page shows: the violated property's id, the replay command,
the timeline's lanes, the tasks' states, the narrative; that undo takes back a
choice; that the page loaded nothing from anywhere but the server; and that no
JavaScript error happened.  Screenshots: SCRATCH/serve-start.png (the first
choice point) and SCRATCH/serve-violation.png.
"""
import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

R2 = "races/r2-detach-before-stop-bug.json"
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebDriver:
    """The few W3C WebDriver calls the test needs."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.sid = None

    def call(self, method, path, body=None):
        data = None
        if method == "POST":
            data = json.dumps(body if body is not None else {}).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return json.loads(r.read() or b"{}").get("value")
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"WebDriver {method} {path}: {e.code} {e.read()[:600]!r}") from None

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.sid}{path}", body)

    def start(self, chromium, profile):
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--window-size=1400,1800", f"--user-data-dir={profile}"]}}}}
        self.sid = self.call("POST", "/session", caps)["sessionId"]

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css):
        return self.s("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def click(self, css):
        self.s("POST", f"/element/{self.find(css)}/click")

    def screenshot(self, path):
        with open(path, "wb") as f:
            f.write(base64.b64decode(self.s("GET", "/screenshot")))

    def wait(self, what, script, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            v = self.js(script)
            if v:
                return v
            time.sleep(0.1)
        errors = self.js("return document.getElementById('js-errors').textContent + ' ' + "
                         "(document.getElementById('api-error').hidden ? '' : "
                         "document.getElementById('api-error').textContent)")
        fail(f"timed out waiting for {what} (page errors: {errors!r})")


def expand(schedule):
    """The letters of a schedule string: "a3bc" -> a a a b c (sim/schedule.h)."""
    out, i = [], 0
    while i < len(schedule):
        c = schedule[i]
        if not c.isalpha():
            fail(f"the schedule {schedule!r} names a thread beyond z/Z, which the page's buttons do not")
        i += 1
        n = ""
        while i < len(schedule) and schedule[i].isdigit():
            n += schedule[i]
            i += 1
        out += [c] * int(n or 1)
    return out


def wait_settled(d):
    return d.wait("the page to settle", "var s = document.body.getAttribute('data-status');"
                  "return s === 'choice' || s === 'ended' ? s : null")


def main():
    url, schedule, scratch = sys.argv[1], sys.argv[2], sys.argv[3]
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    port = free_port()
    log = open(os.path.join(scratch, "chromedriver.log"), "w")
    drv = subprocess.Popen(["chromedriver", f"--port={port}"], stdout=log, stderr=subprocess.STDOUT)
    d = WebDriver(port)
    try:
        for _ in range(200):
            try:
                if d.call("GET", "/status").get("ready"):
                    break
            except (urllib.error.URLError, ConnectionError, RuntimeError):
                pass
            time.sleep(0.1)
        d.start(chromium, os.path.join(scratch, "profile"))
        d.s("POST", "/url", {"url": url})
        d.wait("the scenario list", f"return document.querySelector('#scenario-select option[value=\"{R2}\"]')")
        d.click(f"#scenario-select option[value=\"{R2}\"]")
        d.click("#load")
        d.wait("the first choice point", "return document.body.getAttribute('data-status') === 'choice'")
        title = d.js("return document.getElementById('choice-title').textContent")
        if not title.startswith("Choice point 0"):
            fail(f"the first choice point is titled {title!r}")
        d.screenshot(os.path.join(scratch, "serve-start.png"))

        # The counterexample's choices, then the default thread until the violation shows.
        letters = expand(schedule)
        clicks = 0
        for c in letters:
            if wait_settled(d) != "choice":
                fail(f"the run ended before the schedule {schedule!r} was used up")
            d.click(f"#choices button[data-thread=\"{c}\"]")
            clicks += 1
            d.wait("the next state", "return document.body.getAttribute('data-status') !== 'loading'")
        for _ in range(300):
            if wait_settled(d) == "ended" or d.js("return !document.getElementById('violation-box').hidden"):
                break
            d.click("#choices button.default")
            clicks += 1
        wait_settled(d)

        shown = d.js("""
            var q = function (s) { return Array.prototype.map.call(document.querySelectorAll(s),
                                                                 function (e) { return e; }); };
            return {
              boxHidden: document.getElementById('violation-box').hidden,
              properties: q('#violations .violation').map(function (e) { return e.getAttribute('data-property'); }),
              replay: document.getElementById('violation-replay').textContent,
              replay2: document.getElementById('replay').textContent,
              lanes: q('#timeline svg.timeline .lane').map(function (e) { return e.getAttribute('data-task'); }),
              tasks: q('#tasks tr[data-task]').map(function (e) {
                return [e.getAttribute('data-task'), e.querySelector('td.state').textContent]; }),
              narrative: q('#narrative tr[data-first]').length,
              jsErrors: document.getElementById('js-errors').textContent,
              apiError: document.getElementById('api-error').hidden ? '' : document.getElementById('api-error').textContent,
              resources: performance.getEntriesByType('resource').map(function (r) { return r.name; }),
              origin: location.origin,
              schedule: decodeURIComponent((location.hash.match(/schedule=([^&]*)/) || ['', ''])[1])
            };""")
        print(f"clicked {clicks} threads; the page shows: " + json.dumps(
            {k: shown[k] for k in ("properties", "replay", "lanes", "tasks", "narrative", "schedule")}))
        d.screenshot(os.path.join(scratch, "serve-violation.png"))

        if shown["jsErrors"] or shown["apiError"]:
            fail(f"the page shows errors: {shown['jsErrors']!r} {shown['apiError']!r}")
        if shown["boxHidden"] or "stop-without-engine" not in shown["properties"]:
            fail(f"the violation stop-without-engine is not shown: {shown['properties']}")
        want = f"utsim replay scenarios/{R2} --schedule '{shown['schedule']}'"
        if shown["replay"] != want or shown["replay2"] != want:
            fail(f"the replay command is {shown['replay']!r}, expected {want!r}")
        if expand(shown["schedule"])[:len(letters)] != letters:
            fail(f"the schedule shown, {shown['schedule']!r}, does not start with the one clicked, {schedule!r}")
        for lane in ("X-2", "T-3"):
            if lane not in shown["lanes"]:
                fail(f"the timeline has no lane {lane}: {shown['lanes']}")
        if ["X-2", "TASK_TRACED"] not in shown["tasks"]:
            fail(f"the tasks table does not show X-2 in TASK_TRACED: {shown['tasks']}")
        if shown["narrative"] < 10:
            fail(f"the narrative has {shown['narrative']} rows")
        foreign = [r for r in shown["resources"] if not r.startswith(shown["origin"] + "/")]
        if foreign:
            fail(f"the page loaded something from elsewhere: {foreign}")

        # Undo takes back the last choice.
        d.click("#undo")
        d.wait("the undone state", "return document.body.getAttribute('data-status') === 'choice'")
        after = d.js("return decodeURIComponent((location.hash.match(/schedule=([^&]*)/) || ['', ''])[1])")
        if expand(after) != expand(shown["schedule"])[:-1]:
            fail(f"undo made the schedule {after!r} of {shown['schedule']!r}")
        print(f"serve in headless Chromium: ok (undo: {shown['schedule']!r} -> {after!r})")
    finally:
        try:
            if d.sid:
                d.call("DELETE", f"/session/{d.sid}")
        except Exception:  # noqa: BLE001 - the browser may be gone already
            pass
        drv.terminate()
        drv.wait(timeout=30)


if __name__ == "__main__":
    main()
