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
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
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
  // The runs table pulls its rows: `fixture.runs` (or window.__runsData, set by the benchmark) as a
  // change log, one stamp per row; __runsPush / __runsRemove add changes, as a live store would.
  const runsLog = () => {
    const data = window.__runsData || fixture.runs;
    if (!data) return undefined;
    if (!data.log) data.log = data.rows.map((row, i) => ({ stamp: i + 1, row }));
    return data;
  };
  window.__runsPush = (row) => {
    const data = runsLog();
    data.log.push({ stamp: data.log.length + 1, row });
    return data.log.length;
  };
  window.__runsRemove = (runId) => {
    const data = runsLog();
    data.log.push({ stamp: data.log.length + 1, removed: runId });
    return data.log.length;
  };
  const runsChanges = (since, limit) => {
    const data = runsLog();
    const page = Math.min(limit || 2000, fixture.changesPage || 2000);
    const entries = data.log.filter((e) => e.stamp > since);
    const taken = entries.slice(0, page);
    const stamp = taken.length ? taken[taken.length - 1].stamp : data.log.length;
    return {
      stamp,
      reset: since === 0,
      more: entries.length > taken.length,
      keys: data.keys,
      runs: taken.filter((e) => e.row).map((e) => e.row),
      removed: taken.filter((e) => e.removed).map((e) => e.removed),
    };
  };
  const respond = (m) => {
    if (m.method === 'runs/changes') return { kind: 'response', id: m.id, result: runsChanges(m.params.since, m.params.limit) };
    if (m.method === 'runs/filter' && !(fixture.replies && fixture.replies['runs/filter'])) {
      const known = fixture.filters && fixture.filters[m.params.filter];
      if (known && known.error) return { kind: 'response', id: m.id, error: known.error };
      const ids = known || (window.__filterIds && window.__filterIds(m.params.filter)) || runsLog().rows.map((r) => r.runId);
      return { kind: 'response', id: m.id, result: { filter: m.params.filter, runIds: ids } };
    }
    if (m.method === 'run/metricHistories') {
      const make = window.__generateHistory;
      const steps = fixture.historySteps || 50;
      return {
        kind: 'response',
        id: m.id,
        result: { histories: m.params.keys.map((key) => (fixture.histories && fixture.histories[key]) || make(key, steps)) },
      };
    }
    if (m.method === 'run/previewArtifact' && fixture.previews) {
      const p = fixture.previews[m.params.path];
      if (p) return { kind: 'response', id: m.id, result: p };
      return { kind: 'response', id: m.id, error: { code: 'RESOURCE_DOES_NOT_EXIST', message: `artifact '${m.params.path}' not found` } };
    }
    if (m.method === 'run/listArtifacts' && fixture.artifacts) {
      return { kind: 'response', id: m.id, result: { path: m.params.path, entries: fixture.artifacts[m.params.path] || [] } };
    }
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
      // `serialize`: answers cross as JSON, as VS Code's postMessage does (the benchmark counts that cost).
      if (m.kind === 'request' && !fixture.holdRequests)
        setTimeout(() => window.__deliver(fixture.serialize ? JSON.parse(JSON.stringify(respond(m))) : respond(m)), 0);
    },
    getState: () => saved,
    setState: (s) => {
      saved = s;
      window.__saved = JSON.parse(JSON.stringify(s));
    },
  });
})();
