import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { positives } from './dataset.ts';
import { DataFormatError, KUAIREC_POSITIVE_THRESHOLD, loadFile, parseText, splitCsv } from './loaders.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

test('u.data: tab-separated MovieLens 100K rows', async () => {
  const { data, header } = await loadFile(fixture('u.data'), 'u.data');
  assert.equal(header, false);
  assert.equal(data.length, 30);
  assert.equal(data.users.size, 6);
  assert.equal(data.items.size, 8);
  assert.equal(data.users.id(data.user[0]!), '1');
  assert.equal(data.items.id(data.item[0]!), '6');
  assert.equal(data.value[0], 1);
  assert.equal(data.time[0], 881255368);
});

test('generic csv: header detected, string ids, signed values', async () => {
  const { data, header } = await loadFile(fixture('interactions.csv'), 'csv');
  assert.equal(header, true);
  assert.equal(data.length, 25);
  assert.equal(data.users.size, 5);
  assert.equal(data.items.size, 7);
  assert.deepEqual([data.users.id(data.user[0]!), data.items.id(data.item[0]!), data.value[0], data.time[0]], ['alice', 'v-e', -1, 1700000495]);
  // Every row counts without a threshold; ≥ 1 keeps only the 23 positive rows.
  assert.equal(positives(data).length, 25);
  assert.equal(positives(data, 1).length, 23);
});

test('generic csv: no header, no timestamp column → file order is time order; quoted fields', () => {
  const { data, header } = parseText('u1,i1,1\n"u,2",i2,2\nu1,"i""3",1\n', 'csv');
  assert.equal(header, false);
  assert.deepEqual(Array.from(data.time), [0, 1, 2]);
  assert.equal(data.users.id(1), 'u,2');
  assert.equal(data.items.id(2), 'i"3');
  assert.deepEqual(splitCsv('a,"b,c",d'), ['a', 'b,c', 'd']);
});

test('kuairec: value = watch_ratio, rows without a timestamp kept with NaN time', async () => {
  const { data, missingTime } = await loadFile(fixture('kuairec.csv'), 'kuairec');
  assert.equal(data.length, 32);
  assert.equal(data.users.size, 7);
  assert.equal(data.items.size, 10);
  assert.equal(missingTime, 2);
  assert.deepEqual([data.users.id(data.user[0]!), data.items.id(data.item[0]!)], ['14', '108']);
  assert.ok(Math.abs(data.value[0]! - 1.1) < 1e-6);
  assert.equal(data.time[0], 1593878977.123);
  assert.ok(Number.isNaN(data.time[31]!));
  assert.equal(positives(data, KUAIREC_POSITIVE_THRESHOLD).length, 11);
});

test('movielens csv: columns found by name, CRLF tolerated', () => {
  const { data } = parseText('timestamp,userId,movieId,rating\r\n964982703,1,31,2.5\r\n964982224,1,1029,3.0\r\n', 'movielens-csv');
  assert.equal(data.length, 2);
  assert.equal(data.items.id(data.item[1]!), '1029');
  assert.equal(data.value[0], 2.5);
  assert.equal(data.time[1], 964982224);
});

const fails = (text: string, format: Parameters<typeof parseText>[1], pattern: RegExp) =>
  assert.throws(
    () => parseText(text, format, 'f.csv'),
    (err: unknown) => err instanceof DataFormatError && err.name === 'DataFormatError' && pattern.test(err.message),
  );

test('bad input fails with the file and line in the message', () => {
  fails('', 'u.data', /^f\.csv: file is empty$/);
  fails('userId,movieId,rating,timestamp\n', 'movielens-csv', /no data rows/);
  fails('userId,movieId,timestamp\n1,2,3\n', 'movielens-csv', /^f\.csv:1: header lacks column\(s\) rating/);
  fails('1,31,2.5,964982703\n', 'movielens-csv', /^f\.csv:1: expected the header/);
  fails('userId,movieId,rating,timestamp\n1,31,2.5,964982703\n1,32,abc,964982703\n', 'movielens-csv', /^f\.csv:3: rating is not a number: "abc"/);
  fails('userId,movieId,rating,timestamp\n1,31,2.5\n', 'movielens-csv', /^f\.csv:2: expected 4 fields, got 3/);
  fails('1\t2\t3\t4\n\n1\t2\t3\n', 'u.data', /^f\.csv:3: expected 4 whitespace-separated fields/);
  fails('1\t2\t3\tsoon\n', 'u.data', /^f\.csv:1: timestamp is not a number/);
  fails('u,i,1,5\nu,i,1\n', 'csv', /^f\.csv:2: expected 4 fields, got 3/);
  fails('u,i\n', 'csv', /^f\.csv:1: expected 3 or 4 fields/);
  fails('u,,1,5\n', 'csv', /^f\.csv:1: missing item/);
  fails('user_id,video_id,timestamp\n', 'kuairec', /header lacks column\(s\) watch_ratio/);
  fails('user_id,video_id,timestamp,watch_ratio\n1,2,3,x\n', 'kuairec', /^f\.csv:2: watch_ratio is not a number/);
  fails('user_id,video_id,timestamp,watch_ratio\n1,2,yesterday,1\n', 'kuairec', /^f\.csv:2: timestamp is not a number/);
});

test('a missing file is a DataFormatError naming the path', async () => {
  await assert.rejects(
    loadFile('/nonexistent/ratings.csv', 'movielens-csv'),
    (err: unknown) => err instanceof DataFormatError && /ratings\.csv: no such file/.test(err.message),
  );
});
