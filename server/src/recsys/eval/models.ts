import type { IdMap } from '../ids.ts';
import { ItemPop, type ItemPopConfig } from '../item-pop.ts';
import { DEFAULT_KNN_CONFIG, ItemKNN, type KNNConfig } from '../knn.ts';
import { DEFAULT_MF_CONFIG, ImplicitMF, type MFConfig } from '../mf.ts';
import type { Interactions } from './dataset.ts';

/**
 * Thin adapters that let the protocols drive the production model classes through one interface.
 * Every model gets all of the data set's users and items registered up front, in IdMap order, so
 * its internal indices equal the data set's and score vectors need no translation.
 */
export type ModelName = 'itempop' | 'knn' | 'mf';
export const MODEL_NAMES: readonly ModelName[] = ['itempop', 'knn', 'mf'];

export function isModelName(s: string): s is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(s);
}

export type Hyperparameters = { itempop: ItemPopConfig; knn: KNNConfig; mf: MFConfig };

export const DEFAULT_HYPERPARAMETERS: Readonly<Hyperparameters> = {
  itempop: {},
  knn: { ...DEFAULT_KNN_CONFIG },
  mf: { ...DEFAULT_MF_CONFIG },
};

export type EvalModel = {
  readonly name: ModelName;
  /** Trains a fresh model from scratch on these events (each counts with weight 1). */
  fit(events: Interactions, onProgress?: (fraction: number) => void): void;
  /** Scores of every data-set item for data-set user `u`. */
  score(u: number, out: Float32Array): void;
  /** One online update, as the live feed would apply it. */
  observe(u: number, i: number, weight: number, time: number): void;
};

export function createEvalModel(name: ModelName, hp: Hyperparameters, ids: { users: IdMap; items: IdMap }): EvalModel {
  switch (name) {
    case 'itempop': {
      let pop = new ItemPop(hp.itempop);
      let latest = 0;
      return {
        name,
        fit(events) {
          pop = new ItemPop(hp.itempop);
          registerItems(ids.items, (id) => pop.initItem(id));
          latest = 0;
          for (let e = 0; e < events.length; e++) {
            const t = events.time[e]!;
            pop.observeIndex(events.item[e]!, 1, t);
            if (t > latest) latest = t;
          }
        },
        score(_u, out) {
          pop.scoreAll(latest, out);
        },
        observe(_u, i, w, t) {
          pop.observeIndex(i, w, t);
          if (t > latest) latest = t;
        },
      };
    }
    case 'knn': {
      let knn = new ItemKNN(hp.knn);
      return {
        name,
        fit(events) {
          knn = new ItemKNN(hp.knn);
          registerUsers(ids.users, (id) => knn.initUser(id));
          registerItems(ids.items, (id) => knn.initItem(id));
          for (let e = 0; e < events.length; e++) knn.observeIndex(events.user[e]!, events.item[e]!, 1);
          knn.fit();
        },
        score(u, out) {
          knn.scoreIndex(u, out);
        },
        observe(u, i, w) {
          knn.observeIndex(u, i, w);
        },
      };
    }
    case 'mf': {
      let mf = new ImplicitMF(hp.mf);
      return {
        name,
        fit(events, onProgress) {
          mf = new ImplicitMF(hp.mf);
          registerUsers(ids.users, (id) => mf.initUser(id));
          registerItems(ids.items, (id) => mf.initItem(id));
          for (let e = 0; e < events.length; e++) mf.addInteractionIndex(events.user[e]!, events.item[e]!, 1);
          mf.fit({ onIteration: (done, total) => onProgress?.(done / total) });
        },
        score(u, out) {
          mf.scoreIndex(u, out);
        },
        observe(u, i, w) {
          mf.observeIndex(u, i, w);
        },
      };
    }
    default: {
      const never: never = name;
      throw new Error(`unknown model ${String(never)}`);
    }
  }
}

function registerUsers(users: IdMap, init: (id: string) => number): void {
  users.ids().forEach((id, u) => {
    if (init(id) !== u) throw new Error('model user index diverged from data set index');
  });
}

function registerItems(items: IdMap, init: (id: string) => number): void {
  items.ids().forEach((id, i) => {
    if (init(id) !== i) throw new Error('model item index diverged from data set index');
  });
}
