import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCaption } from './caption.ts';

test('parses hashtags and mentions, lower-cased and unique', () => {
  const r = parseCaption('Sunset run #Running #running with @Ana_B and @ben. #café! email a@b.com #');
  assert.deepEqual(r.hashtags, ['running', 'café']);
  assert.deepEqual(r.mentions, ['ana_b', 'ben']);
});

test('ignores anchors inside words and html-ish text', () => {
  const r = parseCaption('C#sharp foo&#39; <b>#bold</b>');
  assert.deepEqual(r.hashtags, ['bold']);
  assert.deepEqual(r.mentions, []);
});
