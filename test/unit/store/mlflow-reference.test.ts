import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Run } from '../../../src/core/tracking';
import { openTrackingStore } from '../../../src/store/open';
import { logMetric } from '../../../src/store/tracking-helpers';
import type { TrackingStore } from '../../../src/store/tracking-store';
import { copyReference, tempDir } from './helpers/temp';
import { mlflowReference } from '../../repo-paths';
import { ENGINES, ENGINE_NAME } from './helpers/engines';

/** Reads a database real MLflow 2.10.2 wrote and checks we answer as its REST API did (transcripts). */
const TRANSCRIPTS = mlflowReference('transcripts');
const RUN_A = '4cd29275abf34644bfd642fa5b7f30c9';
const RUN_B = 'ab2e0308cf1d42a4b1def1b4a1c4033f';

interface MlflowRun {
  info: {
    run_uuid: string;
    experiment_id: string;
    run_name: string;
    user_id: string;
    status: string;
    start_time: number;
    end_time?: number;
    artifact_uri: string;
    lifecycle_stage: string;
  };
  data: {
    metrics?: { key: string; value: number | string; timestamp: number; step: number }[];
    params?: { key: string; value: string }[];
    tags?: { key: string; value: string }[];
  };
}

function transcript(name: string): { request: { json: Record<string, unknown> }; response: { json: Record<string, unknown> } } {
  return JSON.parse(readFileSync(join(TRANSCRIPTS, name), 'utf8'));
}

/** MLflow's REST JSON of a run, in our entity shape. */
function fromMlflow(r: MlflowRun): Omit<Run, 'inputs'> {
  return {
    info: {
      runId: r.info.run_uuid,
      runName: r.info.run_name,
      experimentId: r.info.experiment_id,
      userId: r.info.user_id,
      status: r.info.status as Run['info']['status'],
      startTime: r.info.start_time,
      endTime: r.info.end_time ?? null,
      artifactUri: r.info.artifact_uri,
      lifecycleStage: r.info.lifecycle_stage as Run['info']['lifecycleStage'],
    },
    data: {
      metrics: (r.data.metrics ?? []).map((m) => ({
        key: m.key,
        value: m.value === 'NaN' ? Number.NaN : Number(m.value),
        timestamp: m.timestamp,
        step: m.step,
      })),
      params: r.data.params ?? [],
      tags: r.data.tags ?? [],
    },
  };
}

const strip = (r: Run): Omit<Run, 'inputs'> => ({ info: r.info, data: r.data });

for (const engine of ENGINES) {
  describe(`a database written by MLflow 2.10.2 (mlflow-after-transcripts.db, ${ENGINE_NAME[engine]})`, () => {
    const tmp = tempDir();
    let file: string;
    let store: TrackingStore;
    before(async () => {
      file = copyReference('mlflow-after-transcripts.db', tmp.dir);
      store = await openTrackingStore(file, { engine });
    });
    after(async () => {
      await store.close();
      tmp.cleanup();
    });

    test('getRun answers as runs/get did, NaN and ±Inf included (transcript 63)', async () => {
      const expected = fromMlflow(transcript('63_runs_get_b.json').response.json.run as MlflowRun);
      assert.deepEqual(strip(await store.getRun(RUN_B)), expected);
    });

    test('getMetricHistory answers as metrics/get-history did (transcript 24)', async () => {
      const expected = transcript('24_metrics_get_history.json').response.json.metrics as unknown[];
      assert.deepEqual(await store.getMetricHistory(RUN_A, 'rmse'), expected);
    });

    test('searchRuns with a metric and param filter returns what runs/search did (transcript 26)', async () => {
      const t = transcript('26_runs_search_filter.json');
      const req = t.request.json as { experiment_ids: string[]; filter: string; order_by: string[]; max_results: number };
      const page = await store.searchRuns({ experimentIds: req.experiment_ids, filter: req.filter, orderBy: req.order_by, maxResults: req.max_results });
      assert.deepEqual(
        page.items.map((r) => r.info.runId),
        (t.response.json.runs as MlflowRun[]).map((r) => r.info.run_uuid),
      );
    });

    test("paged search yields MLflow's own page tokens (transcripts 28, 29)", async () => {
      const t1 = transcript('28_runs_search_all_paged.json');
      const p1 = await store.searchRuns({ experimentIds: ['1'], maxResults: 1, orderBy: ['attributes.start_time DESC'] });
      assert.equal(p1.nextPageToken, t1.response.json.next_page_token);
      assert.deepEqual(
        p1.items.map((r) => r.info.runId),
        [RUN_B],
      );
      const p2 = await store.searchRuns({ experimentIds: ['1'], maxResults: 1, orderBy: ['attributes.start_time DESC'], pageToken: p1.nextPageToken });
      assert.deepEqual(
        p2.items.map((r) => r.info.runId),
        [RUN_A],
      );
    });

    test('order by a param and an attribute filter match transcripts 64 and 65', async () => {
      const byParam = await store.searchRuns({ experimentIds: ['1'], orderBy: ['params.alpha DESC'] });
      assert.deepEqual(
        byParam.items.map((r) => r.info.runId),
        (transcript('64_runs_search_order_by_param.json').response.json.runs as MlflowRun[]).map((r) => r.info.run_uuid),
      );
      const byAttr = await store.searchRuns({ experimentIds: ['1'], filter: "attributes.status = 'FINISHED' and attributes.run_name LIKE 'run-%'" });
      assert.deepEqual(
        byAttr.items.map((r) => r.info.runId),
        (transcript('65_runs_search_attr_filter.json').response.json.runs as MlflowRun[]).map((r) => r.info.run_uuid),
      );
    });

    test('experiments read as MLflow reports them, tags included', async () => {
      const e = await store.getExperiment('1');
      assert.equal(e.name, 'peer-exp-renamed');
      assert.deepEqual(e.tags, [
        { key: 'team', value: 'ts-peer' },
        { key: 'owner', value: 'alice' },
      ]);
      const all = await store.searchExperiments({ viewType: 'ALL' });
      assert.deepEqual(
        all.items.map((x) => x.experimentId),
        ['2', '1', '0'],
      );
    });

    test(
      "after we write, the file is still a valid SQLite database that Python's sqlite3 reads, with MLflow's tables intact",
      { skip: !existsSync('/usr/bin/python3') && 'no python3' },
      async () => {
        await logMetric(store, RUN_A, 'written_by_modelops', 0.75, 3, 1_700_000_000_100);
        const out = execFileSync('/usr/bin/python3', [
          '-c',
          `import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute('pragma integrity_check').fetchone()[0])
print(c.execute('select version_num from alembic_version').fetchone()[0])
print(c.execute("select value, step from latest_metrics where key = 'written_by_modelops'").fetchone())
print(c.execute('select count(*) from runs').fetchone()[0])`,
          file,
        ]).toString();
        assert.deepEqual(out.trim().split('\n'), ['ok', 'acf3f17fdcc7', '(0.75, 3)', '2']);
      },
    );
  });

  describe(`an outside SQLite writer on the same file (${ENGINE_NAME[engine]})`, () => {
    test('its commit is picked up before our next read and kept by our next write', { skip: !existsSync('/usr/bin/python3') && 'no python3' }, async () => {
      const tmp = tempDir();
      try {
        const file = copyReference('mlflow-fresh.db', tmp.dir);
        const store = await openTrackingStore(file, { engine });
        await store.createExperiment('ours-1');
        execFileSync('/usr/bin/python3', [
          '-c',
          `import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES ('theirs', '', 'active', 1, 1)")
c.commit()`,
          file,
        ]);
        assert.equal((await store.getExperimentByName('theirs'))?.name, 'theirs');
        await store.createExperiment('ours-2');
        const names = (await store.searchExperiments({ viewType: 'ALL' })).items.map((e) => e.name).sort();
        assert.deepEqual(names, ['Default', 'ours-1', 'ours-2', 'theirs']);
        await store.close();
      } finally {
        tmp.cleanup();
      }
    });
  });
}
