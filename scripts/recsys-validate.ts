// Validation-only trials of MF settings on fold 1's inner split (the same split `--tune` uses; no
// test label is read). Each argument after --configs is a JSON list of MFConfig overrides on top of
// DEFAULT_MF_CONFIG with the automatic pivot (the engine's), e.g.
//   node scripts/recsys-validate.ts --data ratings.csv --configs '[{"factors":32},{"factors":64}]'
//        [--format movielens-csv] [--ensemble N] [--blend-knn w1,w2,...]
// --ensemble N sums the scores of N models trained with seeds seed…seed+N−1; --blend-knn adds the
// default item KNN's per-user max-normalised scores with each weight to the MF's (also normalised).
import { parseArgs } from 'node:util';
import { positives } from '../server/src/recsys/eval/dataset.ts';
import { isDataFormat, loadFile } from '../server/src/recsys/eval/loaders.ts';
import { createEvalModel, DEFAULT_HYPERPARAMETERS, type EvalModel } from '../server/src/recsys/eval/models.ts';
import { evaluateHoldout } from '../server/src/recsys/eval/protocol-a.ts';
import { validationSplit } from '../server/src/recsys/eval/tune.ts';
import type { MFConfig } from '../server/src/recsys/mf.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    format: { type: 'string', default: 'movielens-csv' },
    configs: { type: 'string', default: '[{}]' },
    ensemble: { type: 'string', default: '1' },
    'blend-knn': { type: 'string' },
  },
});
if (!values.data || !isDataFormat(values.format)) {
  console.error('usage: node scripts/recsys-validate.ts --data FILE [--format movielens-csv] --configs JSON [--ensemble N] [--blend-knn w,...]');
  process.exit(2);
}
const ensemble = Math.max(1, Math.floor(Number(values.ensemble)));
const blend = values['blend-knn']?.split(',').map(Number);
const data = positives((await loadFile(values.data, values.format)).data);
const { train, validation } = validationSplit(data, 5, 1);
const knn = blend ? createEvalModel('knn', DEFAULT_HYPERPARAMETERS, data) : undefined;
knn?.fit(train);
const maxOf = (xs: Float32Array) => xs.reduce((m, x) => (x > m ? x : m), 0) || 1;
for (const c of JSON.parse(values.configs) as Partial<MFConfig>[]) {
  const t0 = performance.now();
  const models: EvalModel[] = [];
  for (let s = 0; s < ensemble; s++) {
    const mf = { ...DEFAULT_HYPERPARAMETERS.mf, activityPivot: 0, ...c, seed: (c.seed ?? 1) + s };
    const m = createEvalModel('mf', { ...DEFAULT_HYPERPARAMETERS, mf }, data);
    m.fit(train);
    models.push(m);
  }
  const tmp = new Float32Array(data.items.size);
  for (const w of blend ?? [0]) {
    const { metrics } = evaluateHoldout(
      (u, out) => {
        models[0]!.score(u, out);
        for (let s = 1; s < models.length; s++) {
          models[s]!.score(u, tmp);
          for (let i = 0; i < out.length; i++) out[i]! += tmp[i]!;
        }
        if (!knn || w === 0) return;
        knn.score(u, tmp);
        const a = maxOf(out);
        const b = maxOf(tmp);
        for (let i = 0; i < out.length; i++) out[i] = out[i]! / a + (w * tmp[i]!) / b;
      },
      train,
      validation,
    );
    const label = `${JSON.stringify(c)}${ensemble > 1 ? ` ×${ensemble} seeds` : ''}${blend ? ` + knn ${w}` : ''}`;
    console.log(`${label}\tvalidation NDCG@10 ${metrics['ndcg@10'].toFixed(4)}\t${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}
