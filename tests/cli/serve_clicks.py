#!/usr/bin/env python3
# Clicks through the explorer in headless Chromium, driven over the DevTools
# protocol on a pipe (--remote-debugging-pipe: no port, no WebSocket, no
# extra package): the autoreap-with-tracer counterexample by clicking its
# actions, back and forward, a profile switch with the select, and a review
# JSON pasted and opened. Each check prints FAIL and the script exits 1;
# a screenshot of the end is written.
# Usage: serve_clicks.py CHROMIUM URL REVIEW_JSON SCREENSHOT
import base64, json, os, subprocess, sys, tempfile, time

browser, url, review_file, shot = sys.argv[1:5]
fails = []


def fail(msg):
    print('FAIL: clicks: ' + msg)
    fails.append(msg)


to_chrome_r, to_chrome_w = os.pipe()
from_chrome_r, from_chrome_w = os.pipe()


def child_fds():   # Chromium reads commands on fd 3 and writes answers on fd 4
    os.dup2(to_chrome_r, 100)   # by way of fds no pipe end can be
    os.dup2(from_chrome_w, 101)
    os.dup2(100, 3)
    os.dup2(101, 4)
    os.close(100)
    os.close(101)


profile = tempfile.mkdtemp()
proc = subprocess.Popen([browser, '--headless', '--no-sandbox', '--disable-gpu', '--no-proxy-server', '--no-first-run',
                         '--disable-background-networking', '--disable-component-update', '--disable-sync',
                         '--user-data-dir=' + profile, '--window-size=1280,900', '--remote-debugging-pipe'],
                        preexec_fn=child_fds, close_fds=False,   # fds 3 and 4 are set after close_fds would run
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(to_chrome_r)
os.close(from_chrome_w)
buf = b''
next_id = 0
deadline = time.time() + 90


def send(method, params=None, session=None):
    global buf, next_id
    next_id += 1
    msg = {'id': next_id, 'method': method, 'params': params or {}}
    if session:
        msg['sessionId'] = session
    os.write(to_chrome_w, json.dumps(msg).encode() + b'\0')
    while True:
        while b'\0' not in buf:
            if time.time() > deadline:
                raise SystemExit('FAIL: clicks: Chromium did not answer in time')
            chunk = os.read(from_chrome_r, 1 << 16)
            if not chunk:
                raise SystemExit('FAIL: clicks: Chromium closed the pipe')
            buf += chunk
        raw, buf = buf.split(b'\0', 1)
        m = json.loads(raw)
        if m.get('id') == next_id:
            if 'error' in m:
                raise SystemExit('FAIL: clicks: %s: %s' % (method, m['error']))
            return m.get('result', {})


try:
    target = send('Target.createTarget', {'url': 'about:blank'})['targetId']
    sess = send('Target.attachToTarget', {'targetId': target, 'flatten': True})['sessionId']

    def js(expr):
        r = send('Runtime.evaluate', {'expression': expr, 'awaitPromise': True, 'returnByValue': True}, sess)
        if 'exceptionDetails' in r:
            raise SystemExit('FAIL: clicks: %s: %s' % (expr, r['exceptionDetails'].get('text')))
        return r['result'].get('value')

    def wait(cond, what):
        for _ in range(200):
            if js(cond):
                return True
            time.sleep(0.05)
        fail('timed out waiting for ' + what)
        return False

    def click_action(statement):
        at = js('Number(document.body.dataset.at)')
        found = js('(() => { for (const b of document.querySelectorAll("#actions button")) '
                   'if (b.textContent.split(" \\u2192 ")[0] === %s) { b.click(); return true; } return false; })()'
                   % json.dumps(statement))
        if not found:
            fail('no button for ' + statement)
            return
        wait('Number(document.body.dataset.at) === %d' % (at + 1), 'the step ' + statement)

    send('Page.navigate', {'url': url}, sess)
    wait('document.readyState === "complete" && document.body.dataset.at === "0"', 'the page')
    steps = ['init: clone3 flags=AUTOREAP exit_signal=0', 'init: ptrace_attach A', 'A: exit 3', 'kernel: exit_notify A']
    for k, s in enumerate(steps):
        click_action(s)
        scn = js('document.getElementById("scn").textContent')
        if not scn.rstrip('\n').split('\n')[-1].startswith(s):
            fail('the .scn does not end with ' + s)
        with open('%s/click-step%d.scn' % (os.path.dirname(shot), k + 1), 'w') as f:
            f.write(scn)   # serve_browser.sh replays each
        boxes = js('document.querySelectorAll("#tree g.task").length')
        if boxes != 3:
            fail('%d task boxes drawn after %s, expected 3' % (boxes, s))
        if js('document.querySelector("#history li.current").textContent').split(' -> ')[0] != s:
            fail('the current step in the path is not ' + s)
    svg = js('document.getElementById("tree").innerHTML')
    if 'ZOMBIE' not in svg or 'traces' not in svg:
        fail('A is not drawn as a zombie with its tracer')
    if js('document.querySelector(\'tr[data-id="autoreap.never_zombie"]\').dataset.now') != 'violated':
        fail('autoreap.never_zombie is not shown violated')
    if 'path=' not in js('location.search'):
        fail('the URL does not follow the path')

    js('document.getElementById("back").click()')
    wait('document.body.dataset.at === "3"', 'back')
    nxt = js('(document.querySelector("#actions li.next") || {textContent: ""}).textContent')
    if not nxt.startswith('kernel: exit_notify A'):
        fail('after back, the next step is not marked: ' + nxt)
    if 'violates autoreap.never_zombie' not in nxt:
        fail('exit_notify A is not marked as violating autoreap.never_zombie')
    js('document.getElementById("forward").click()')
    wait('document.body.dataset.at === "4"', 'forward')

    js('(() => { const s = document.getElementById("profile"); s.value = "linux-6.18"; '
       's.dispatchEvent(new Event("change")); })()')
    wait('document.body.dataset.profile === "linux-6.18"', 'the profile switch')
    if 'cannot run under linux-6.18' not in js('document.getElementById("warnings").textContent'):
        fail('the cut path is not explained after the profile switch')

    text = open(review_file).read()
    js('(() => { document.getElementById("text").value = %s; document.getElementById("load").click(); })()'
       % json.dumps(text))
    wait('!document.getElementById("entries").hidden', 'the review entries')
    n = js('document.getElementById("entries").options.length')
    if not n:
        fail('the review JSON lists no entry')
    js('document.getElementById("forward").click()')
    wait('document.body.dataset.at === "1"', 'forward in the opened trace')

    js('post("/api/step", {action: 100000}).then(() => 0)')
    if 'no enabled action' not in js('document.getElementById("error").textContent'):
        fail('a bad step does not show its error')

    png = send('Page.captureScreenshot', {'format': 'png'}, sess)['data']
    with open(shot, 'wb') as f:
        f.write(base64.b64decode(png))
    try:
        send('Browser.close')
    except SystemExit:
        pass
finally:
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()

if fails:
    sys.exit(1)
print('clicks: the counterexample clicked step by step, back, forward, profile switch, review opened (%d entries)' % n)
