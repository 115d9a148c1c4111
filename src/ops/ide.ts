import { randomBytes } from 'node:crypto';
import type http from 'node:http';

/**
 * A minimal GraphQL IDE page, bundled with the hub: one self-contained HTML document, no external
 * scripts, fonts or styles (the hub may run on a closed network without a CDN). Served at /ide only when
 * HUB_IDE=1. No graphiql package is installed, so this is a plain editor: operation, variables, token,
 * purpose, and the formatted answer. The token stays in the page (sessionStorage), never in the URL.
 */
export function serveIde(res: http.ServerResponse, endpoint = '/graphql'): void {
  const nonce = randomBytes(16).toString('base64');
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  );
  res.end(page(nonce, endpoint));
}

function page(nonce: string, endpoint: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>政银担 hub — GraphQL</title>
<style nonce="${nonce}">
body{font:14px system-ui,sans-serif;margin:0;display:grid;grid-template-rows:auto 1fr;height:100vh}
header{display:flex;gap:.5rem;align-items:center;padding:.5rem;background:#1f3b57;color:#fff}
header input,header select{font:inherit}#token{flex:1}
main{display:grid;grid-template-columns:1fr 1fr;gap:.5rem;padding:.5rem;min-height:0}
section{display:grid;grid-template-rows:2fr 1fr;gap:.5rem;min-height:0}
textarea,pre{font:13px ui-monospace,monospace;margin:0;border:1px solid #bbb;padding:.5rem;overflow:auto;resize:none}
pre{background:#f7f7f7;white-space:pre-wrap}
</style></head><body>
<header><strong>GraphQL</strong>
<input id="token" placeholder="Bearer token (npx hub token --org …)" autocomplete="off">
<select id="purpose"><option value="">— purpose —</option><option>LOAN_APPROVAL</option><option>GUARANTEE_APPROVAL</option><option>POST_LOAN_MANAGEMENT</option><option>SUPERVISION</option></select>
<button id="run">Run (Ctrl+Enter)</button><span id="status"></span></header>
<main><section><textarea id="query" spellcheck="false">query Me {
  me { code name type }
}</textarea><textarea id="variables" spellcheck="false">{}</textarea></section><pre id="result"></pre></main>
<script nonce="${nonce}">
const $ = (id) => document.getElementById(id);
$('token').value = sessionStorage.getItem('hub-token') || '';
async function run() {
  let variables;
  try { variables = JSON.parse($('variables').value || '{}'); } catch (e) { $('result').textContent = 'variables: ' + e.message; return; }
  const token = $('token').value.trim().replace(/^Bearer\\s+/i, '');
  sessionStorage.setItem('hub-token', token);
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = 'Bearer ' + token;
  if ($('purpose').value) headers['x-hub-purpose'] = $('purpose').value;
  const started = performance.now();
  $('status').textContent = '…';
  try {
    const res = await fetch(${JSON.stringify(endpoint)}, { method: 'POST', headers, body: JSON.stringify({ query: $('query').value, variables }) });
    const text = await res.text();
    let shown = text; try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch {}
    $('result').textContent = shown;
    $('status').textContent = res.status + ' · ' + Math.round(performance.now() - started) + ' ms · ' + (res.headers.get('x-request-id') || '');
  } catch (e) { $('result').textContent = String(e); $('status').textContent = 'failed'; }
}
$('run').addEventListener('click', run);
document.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) run(); });
</script></body></html>
`;
}
