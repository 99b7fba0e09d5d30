/**
 * The console's page and style sheet. The script is the gateway's `console/` project compiled to
 * ES modules (dist/console/*.js); nothing is loaded from anywhere but the gateway (see the CSP).
 */
export const CONSOLE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mapek console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/app.css">
<script type="module" src="/console/app.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <h1>mapek <span class="sub">self-healing control plane</span></h1>
  <p class="session"><span id="who"></span> <span id="feed-status" class="badge badge-muted" role="status">offline</span> <button type="button" id="signout" hidden>Sign out</button></p>
</header>
<main id="main">
  <section id="signin" hidden aria-labelledby="signin-heading">
    <h2 id="signin-heading">Sign in</h2>
    <p id="signin-error" class="error" role="alert"></p>
    <div id="signon" class="signon" hidden>
      <button type="button" id="signon-button" class="primary">Sign in with single sign-on</button>
      <p class="hint">Through your organisation's identity provider, <span id="signon-issuer"></span>; you come back here signed in. The token stays in this tab (sessionStorage) until it expires.</p>
    </div>
    <form id="signin-form">
      <label for="api-key">API key</label>
      <input id="api-key" name="api-key" type="password" autocomplete="off" spellcheck="false" required placeholder="mapek_…">
      <button type="submit">Sign in</button>
      <p class="hint">The key stays in this tab (sessionStorage) and is sent only to this gateway. Create one with <code>./mapek pki api-key create --name you --role viewer|operator|approver|admin</code>.</p>
    </form>
  </section>
  <div id="app" hidden>
    <div id="announcer" class="announcer" aria-live="polite"></div>
    <div class="columns">
      <div class="column">
        <section aria-labelledby="incidents-heading">
          <h2 id="incidents-heading">Incidents</h2>
          <ol id="incident-list" class="incident-list"></ol>
        </section>
        <section aria-labelledby="plans-heading">
          <h2 id="plans-heading">Awaiting approval</h2>
          <div id="plan-list"></div>
        </section>
      </div>
      <section id="detail" class="column wide" aria-live="off">
        <h2 id="detail-heading" tabindex="-1">Incident</h2>
        <p class="empty">Choose an incident to see its timeline and decision record.</p>
      </section>
      <div class="column">
        <section aria-labelledby="flags-heading">
          <h2 id="flags-heading">Runtime flags</h2>
          <div id="flag-list"></div>
          <details><summary>Change a flag</summary><div id="flag-forms"></div></details>
        </section>
        <section aria-labelledby="insights-heading">
          <h2 id="insights-heading">Insights</h2>
          <div id="insights"></div>
        </section>
        <section aria-labelledby="audit-heading">
          <h2 id="audit-heading">Audit chain</h2>
          <div id="audit"></div>
          <button type="button" id="refresh-audit">Verify again</button>
        </section>
        <section aria-labelledby="live-heading">
          <h2 id="live-heading">Live events</h2>
          <ol id="live-events" class="live-events"><li class="empty">Loop events appear here as they happen.</li></ol>
        </section>
      </div>
    </div>
  </div>
</main>
</body>
</html>
`;

export const CONSOLE_STYLE = `
:root { --bg: #f6f7f9; --panel: #ffffff; --text: #15191e; --muted: #4a5563; --line: #cfd5dd; --accent: #0b5cad;
  --ok: #0d6b35; --ok-bg: #e3f4ea; --warn: #7a4a00; --warn-bg: #fff1d6; --bad: #a3121f; --bad-bg: #fde7e9; --info: #0b4f8a; --info-bg: #e4effa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--text); background: var(--bg); }
.skip { position: absolute; left: -9999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 10; }
header { display: flex; justify-content: space-between; align-items: center; padding: 8px 16px; background: #14213d; color: #fff; }
header h1 { font-size: 18px; margin: 0; } header .sub { font-weight: normal; font-size: 13px; color: #d7dde8; }
header .session { margin: 0; display: flex; gap: 8px; align-items: center; }
main { padding: 12px 16px; }
h2 { font-size: 16px; margin: 0 0 8px; } h3 { font-size: 14px; margin: 12px 0 6px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; margin-bottom: 12px; }
section section { border: 0; padding: 0; margin: 0 0 10px; }
.columns { display: grid; grid-template-columns: minmax(240px, 1fr) minmax(420px, 2.2fr) minmax(240px, 1fr); gap: 12px; align-items: start; }
.column { min-width: 0; } td { overflow-wrap: anywhere; }
@media (max-width: 1100px) { .columns { grid-template-columns: 1fr; } }
.incident-list, .live-events, .timeline { list-style: none; margin: 0; padding: 0; }
.incident-list { max-height: 40vh; overflow-y: auto; }
.incident { display: block; width: 100%; text-align: left; padding: 6px 8px; margin-bottom: 4px; border: 1px solid var(--line); border-radius: 4px; background: #fff; color: var(--text); cursor: pointer; font: inherit; }
.incident[aria-current="true"] { border-color: var(--accent); background: var(--info-bg); }
.incident-title { display: block; font-weight: 600; } .incident-meta { display: block; color: var(--muted); font-size: 12px; }
.timeline li, .live-events li { padding: 3px 0; border-bottom: 1px solid #eceff3; font-size: 13px; }
.live-events { max-height: 30vh; overflow-y: auto; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; font-size: 13px; }
caption { text-align: left; color: var(--muted); font-size: 12px; padding-bottom: 2px; }
th, td { border-bottom: 1px solid #e3e7ec; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eef1f5; }
.badge { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 12px; font-weight: 600; border: 1px solid transparent; }
.badge-ok { color: var(--ok); background: var(--ok-bg); } .badge-warn { color: var(--warn); background: var(--warn-bg); }
.badge-bad { color: var(--bad); background: var(--bad-bg); } .badge-info { color: var(--info); background: var(--info-bg); }
.badge-muted { color: #3c4550; background: #e9ecf0; }
.pending-plan { border: 1px solid var(--line); border-radius: 4px; padding: 8px; margin-bottom: 8px; }
.pending-plan h3 { margin-top: 0; }
.two-person { color: var(--warn); font-weight: 600; }
.actions { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
button { font: inherit; padding: 4px 12px; border-radius: 4px; border: 1px solid #5b6675; background: #fff; color: var(--text); cursor: pointer; }
button:disabled { cursor: not-allowed; color: #5f6873; background: #eceff2; }
button.approve { background: var(--ok); border-color: var(--ok); color: #fff; } button.reject { background: #fff; border-color: var(--bad); color: var(--bad); }
button.approve:disabled { background: #7f9c89; border-color: #7f9c89; color: #fff; }
button.link { border: 0; padding: 0; color: var(--accent); text-decoration: underline; background: none; }
input, select { font: inherit; padding: 3px 6px; border: 1px solid #6b7684; border-radius: 4px; background: #fff; color: var(--text); }
.field { display: flex; flex-direction: column; margin-bottom: 6px; } .field label { font-size: 12px; color: var(--muted); }
.flags { list-style: none; margin: 0; padding: 0; } .flags li { padding: 4px 0; border-bottom: 1px solid #eceff3; }
.flag-value { display: block; }
.flag-form { border-top: 1px solid var(--line); padding-top: 6px; margin-top: 6px; }
:focus-visible { outline: 3px solid #f0a400; outline-offset: 2px; }
.empty, .hint { color: var(--muted); } .error { color: var(--bad); font-weight: 600; }
.announcer:empty { display: none; } .notice { display: block; padding: 6px 10px; border-radius: 4px; margin-bottom: 10px; }
.notice-ok { background: var(--ok-bg); color: var(--ok); } .notice-bad { background: var(--bad-bg); color: var(--bad); }
#signin { max-width: 560px; margin: 40px auto; } #signin form { display: flex; flex-direction: column; gap: 8px; }
.signon { border-bottom: 1px solid var(--line); padding-bottom: 12px; margin-bottom: 12px; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
code { font-size: 12px; background: #eef1f5; padding: 0 3px; border-radius: 3px; }
`;
