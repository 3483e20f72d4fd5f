import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { demoClipArgs, drawtextText, escapeFilterValue, findFontFile, testClipArgs } from './demo-clips.ts';
import type { DemoClipSpec } from './demo-clips.ts';

const spec: DemoClipSpec = { seconds: 6, width: 540, height: 960, title: 'Hello', pattern: 'testsrc2', toneHz: 440 };
const flag = (args: string[], name: string) => args[args.indexOf(name) + 1];

describe('filter escaping', () => {
  it('escapes for the option parser, then for the graph parser', () => {
    assert.equal(escapeFilterValue('plain text'), 'plain text');
    assert.equal(escapeFilterValue('a:b'), 'a\\\\:b');
    assert.equal(escapeFilterValue("it's"), "it\\\\\\'s");
    assert.equal(escapeFilterValue('a\\b'), 'a\\\\\\\\b');
    assert.equal(escapeFilterValue('x,y;z[0]'), 'x\\,y\\;z\\[0\\]');
  });

  it('leaves % alone (drawtext runs with expansion=none) and drops control characters', () => {
    assert.equal(drawtextText('100% %{pts}'), '100% %{pts}');
    assert.equal(drawtextText('  a\tb\u0007c\nd  '), 'abc\nd');
  });
});

describe('demoClipArgs', () => {
  it('builds a faststart H.264/AAC MP4 from lavfi pattern and tone', () => {
    const args = demoClipArgs('out.mp4', spec);
    assert.deepEqual(args.slice(0, 8), ['-f', 'lavfi', '-i', 'testsrc2=size=540x960:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000']);
    assert.equal(flag(args, '-t'), '6');
    assert.equal(flag(args, '-c:v'), 'libx264');
    assert.equal(flag(args, '-pix_fmt'), 'yuv420p');
    assert.equal(flag(args, '-c:a'), 'aac');
    assert.equal(flag(args, '-movflags'), '+faststart');
    assert.ok(args.includes('-shortest'));
    assert.equal(args.at(-1), 'out.mp4');
    assert.ok(!args.includes('-vf'), 'no font, no drawtext');
  });

  it('draws escaped title and subtitle when a font is given', () => {
    const args = demoClipArgs('out.mp4', { ...spec, title: "Flick: it's 100%", subtitle: '@user', fontFile: '/fonts/Bold.ttf' });
    const vf = flag(args, '-vf') ?? '';
    assert.match(vf, /^drawtext=fontfile=\/fonts\/Bold\.ttf:expansion=none:/);
    assert.ok(vf.includes("text=Flick\\\\: it\\\\\\'s 100%,drawtext="), vf);
    assert.ok(vf.endsWith(':text=@user'));
  });

  it('shrinks long titles to fit the width', () => {
    const size = (title: string) => Number(/fontsize=(\d+)/.exec(flag(demoClipArgs('o.mp4', { ...spec, title, fontFile: 'f.ttf' }), '-vf') ?? '')?.[1]);
    assert.equal(size('Hi'), 49);
    assert.ok(size('A considerably longer title than fits') < 25);
  });

  it('renders cellular automata coarse and colours them', () => {
    const life = demoClipArgs('o.mp4', { ...spec, pattern: 'life', color: '#33ccff' })[3];
    assert.equal(life, 'life=size=67x120:rate=30:mold=10:life_color=#33ccff:death_color=#101018:mold_color=#3050a0,scale=540:960:flags=neighbor,setsar=1');
    assert.match(demoClipArgs('o.mp4', { ...spec, pattern: 'cellauto' })[3] ?? '', /^cellauto=size=135x240:rate=30:rule=30,scale=540:960/);
    assert.equal(demoClipArgs('o.mp4', { ...spec, pattern: 'smptebars' })[3], 'smptebars=size=540x960:rate=30');
  });

  it('falls back to testsrc2 when the build lacks the pattern (gradients in the 2018 npm ffmpeg)', () => {
    const withIt = demoClipArgs('o.mp4', { ...spec, pattern: 'gradients' }, new Set(['gradients', 'testsrc2']));
    assert.match(withIt[3] ?? '', /^gradients=size=540x960:rate=30:c0=/);
    assert.equal(demoClipArgs('o.mp4', { ...spec, pattern: 'gradients' }, new Set(['testsrc2']))[3], 'testsrc2=size=540x960:rate=30');
  });

  it('validates what it interpolates into the filtergraph', () => {
    assert.throws(() => demoClipArgs('o.mp4', { ...spec, color: 'red:x=1' }), /invalid colour/);
    assert.doesNotThrow(() => demoClipArgs('o.mp4', { ...spec, color: 'black@0.5' }));
    assert.throws(() => demoClipArgs('o.mp4', { ...spec, width: 541 }), /even integers/);
    assert.throws(() => demoClipArgs('o.mp4', { ...spec, seconds: 0 }), /clip length/);
  });
});

describe('testClipArgs', () => {
  it('testsrc2 + sine, ultrafast, faststart by default', () => {
    const args = testClipArgs('t.mp4', { seconds: 4, width: 540, height: 960, withAudio: true });
    // prettier-ignore
    assert.deepEqual(args, [
      '-f', 'lavfi', '-i', 'testsrc2=size=540x960:rate=30',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-movflags', '+faststart', 't.mp4',
    ]);
  });

  it('video only, custom rate, moov at the end', () => {
    const args = testClipArgs('t.mp4', { seconds: 1, width: 320, height: 240, withAudio: false, fps: 60, faststart: false });
    assert.equal(args[3], 'testsrc2=size=320x240:rate=60');
    assert.ok(!args.includes('sine=frequency=440:sample_rate=48000') && !args.includes('-movflags'));
  });
});

describe('findFontFile', () => {
  it('returns the first existing candidate', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flick-font-'));
    try {
      const font = path.join(dir, 'Font.ttf');
      writeFileSync(font, '');
      assert.equal(findFontFile([path.join(dir, 'missing.ttf'), font]), font);
      assert.equal(findFontFile([path.join(dir, 'missing.ttf')]), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
