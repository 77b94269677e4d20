// Injected before the page's own script (playwright addInitScript): stands in for VS Code.
// It provides acquireVsCodeApi, records what the webview posts, answers requests from the
// fixture in window.__fixture, and sends the fixture's first message once the webview is ready.
(() => {
  const fixture = window.__fixture;
  const posted = (window.__posted = []);
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  let saved = fixture.savedState;
  const deliver = (message) => window.dispatchEvent(new MessageEvent('message', { data: message }));
  window.__deliver = deliver;
  // For the benchmark: synthetic histories built in the page, so megabytes of fixture need not be injected.
  window.__generateHistories = (runs, keys, steps) => {
    fixture.histories = {};
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (const key of keys) {
      fixture.histories[key] = runs.map((run) => {
        const final = (run.metrics.find((m) => m.key === key) || { value: 0.5 }).value ?? 0.5;
        const s = new Array(steps);
        const v = new Array(steps);
        for (let i = 0; i < steps; i++) {
          s[i] = i;
          v[i] = final * (1 - Math.exp((-5 * (i + 1)) / steps)) + 0.01 * (rnd() - 0.5);
        }
        return { runId: run.runId, steps: s, values: v };
      });
    }
  };
  const respond = (m) => {
    if (m.method === 'compare/metricHistory') {
      const wanted = new Set(m.params.runIds);
      const all = (fixture.histories && fixture.histories[m.params.key]) || [];
      return { kind: 'response', id: m.id, result: { key: m.params.key, histories: all.filter((h) => wanted.has(h.runId)) } };
    }
    const reply = fixture.replies && fixture.replies[m.method];
    if (reply && reply.error) return { kind: 'response', id: m.id, error: reply.error };
    return { kind: 'response', id: m.id, result: reply || {} };
  };
  window.acquireVsCodeApi = () => ({
    postMessage(m) {
      posted.push(JSON.parse(JSON.stringify(m)));
      if (m.kind === 'notification' && m.method === 'webview/ready' && fixture.initial) {
        setTimeout(() => {
          window.__postedAt = performance.now();
          deliver(fixture.initial);
        }, 0);
      }
      if (m.kind === 'request' && !fixture.holdRequests) setTimeout(() => window.__deliver(respond(m)), 0);
    },
    getState: () => saved,
    setState: (s) => {
      saved = s;
      window.__saved = JSON.parse(JSON.stringify(s));
    },
  });
})();
