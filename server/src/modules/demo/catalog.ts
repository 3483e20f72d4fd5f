import type { DemoPattern } from '../../media/demo-clips.ts';

/** The demo catalog: a dozen creators with distinct tastes, five clips each. */
export type DemoCreator = {
  username: string;
  displayName: string;
  bio: string;
  pattern: DemoPattern;
  color: string;
  clips: { title: string; caption: string }[];
};

export const demoCatalog: DemoCreator[] = [
  {
    username: 'ana.dance',
    displayName: 'Ana Moves',
    bio: 'Choreo every day 💃',
    pattern: 'mandelbrot',
    color: '#ff2d55',
    clips: [
      { title: 'Spin Drill', caption: 'Thirty-second spin drill, try it! #dance #tutorial' },
      { title: 'Shuffle Step', caption: 'Learn the shuffle in 3 steps #dance #shuffle' },
      { title: 'Freestyle', caption: 'Friday freestyle with @ben_cooks watching #dance #freestyle' },
      { title: 'Warm Up', caption: 'Warm up before you dance #fitness #dance' },
      { title: 'Duo Routine', caption: 'Our duo routine, part 1 #dance #duet' },
    ],
  },
  {
    username: 'ben_cooks',
    displayName: 'Ben Cooks',
    bio: 'Fast food, made slowly.',
    pattern: 'gradients',
    color: '#ff9500',
    clips: [
      { title: '5-min Pasta', caption: 'Five minute garlic pasta #food #recipe #pasta' },
      { title: 'Knife Skills', caption: 'Dice an onion without tears #cooking #tips' },
      { title: 'Pancakes', caption: 'Fluffiest pancakes ever #food #breakfast' },
      { title: 'Street Tacos', caption: 'Street tacos at home #food #tacos' },
      { title: 'Ramen Hack', caption: 'Instant ramen, upgraded #food #hack' },
    ],
  },
  {
    username: 'chloe.travels',
    displayName: 'Chloe Abroad',
    bio: '40 countries and counting ✈️',
    pattern: 'testsrc2',
    color: '#34c759',
    clips: [
      { title: 'Lisbon', caption: 'Golden hour in Lisbon #travel #portugal' },
      { title: 'Packing', caption: 'Pack for 2 weeks in a carry-on #travel #tips' },
      { title: 'Kyoto', caption: 'Quiet temples in Kyoto #travel #japan' },
      { title: 'Night Train', caption: 'Sleeper train diaries #travel #train' },
      { title: 'Hidden Beach', caption: 'The beach nobody knows about #travel #beach' },
    ],
  },
  {
    username: 'dev_dan',
    displayName: 'Dan Codes',
    bio: 'Bugs are features in disguise',
    pattern: 'cellauto',
    color: '#5ac8fa',
    clips: [
      { title: 'Git Tip', caption: 'git switch -c, not checkout -b #coding #git' },
      { title: 'TS Types', caption: 'One TypeScript trick a day #coding #typescript' },
      { title: 'Rubber Duck', caption: 'Explain it to the duck #coding #debugging' },
      { title: 'Regex', caption: 'Regex you will actually use #coding #regex' },
      { title: 'Keyboard', caption: 'My keyboard setup #coding #setup' },
    ],
  },
  {
    username: 'eli.fitness',
    displayName: 'Eli Fit',
    bio: 'Strong is a habit',
    pattern: 'smptebars',
    color: '#ff3b30',
    clips: [
      { title: 'Plank Day', caption: 'Plank challenge day 1 #fitness #challenge' },
      { title: 'Squats', caption: 'Fix your squat form #fitness #gym' },
      { title: 'Stretch', caption: 'Desk stretches for coders, @dev_dan #fitness #stretch' },
      { title: 'HIIT', caption: 'Ten minute HIIT #fitness #hiit' },
      { title: 'Rest Day', caption: 'Rest days matter #fitness #wellness' },
    ],
  },
  {
    username: 'fay.art',
    displayName: 'Fay Paints',
    bio: 'Colour over everything',
    pattern: 'gradients',
    color: '#af52de',
    clips: [
      { title: 'Watercolour', caption: 'Wet on wet watercolour #art #painting' },
      { title: 'Sketchbook', caption: 'Sketchbook tour #art #sketch' },
      { title: 'Palette', caption: 'Mixing a sunset palette #art #color' },
      { title: 'Speedpaint', caption: 'One hour in one minute #art #speedpaint' },
      { title: 'Brushes', caption: 'Cheap brushes vs expensive #art #review' },
    ],
  },
  {
    username: 'gus.gaming',
    displayName: 'Gus Plays',
    bio: 'GG only',
    pattern: 'life',
    color: '#30d158',
    clips: [
      { title: 'Speedrun', caption: 'New personal best! #gaming #speedrun' },
      { title: 'Boss Fight', caption: 'Third try on this boss #gaming #boss' },
      { title: 'Setup', caption: 'Budget gaming setup #gaming #setup' },
      { title: 'Retro', caption: 'Retro Friday #gaming #retro' },
      { title: 'Glitch', caption: 'Found a glitch #gaming #glitch' },
    ],
  },
  {
    username: 'hana.music',
    displayName: 'Hana Sound',
    bio: 'Loops, beats, late nights',
    pattern: 'rgbtestsrc',
    color: '#ffcc00',
    clips: [
      { title: 'Beat Drop', caption: 'Wait for the drop #music #beats' },
      { title: 'Loop Pedal', caption: 'Building a song with one pedal #music #looper' },
      { title: 'Cover', caption: 'Acoustic cover #music #cover' },
      { title: 'Synth', caption: 'Analog synth sounds #music #synth' },
      { title: 'Duet?', caption: 'Who wants to duet this? #music #duet' },
    ],
  },
  {
    username: 'ivan.pets',
    displayName: 'Ivan & Paws',
    bio: 'Two dogs, one cat, zero chill',
    pattern: 'testsrc2',
    color: '#a2845e',
    clips: [
      { title: 'Zoomies', caption: 'Daily zoomies #pets #dogs' },
      { title: 'Cat Judge', caption: 'The cat judges everything #pets #cats' },
      { title: 'New Trick', caption: 'Learned a new trick #pets #training' },
      { title: 'Bath Time', caption: 'Bath time chaos #pets #funny' },
      { title: 'Nap', caption: 'Nap pile #pets #cute' },
    ],
  },
  {
    username: 'jo.comedy',
    displayName: 'Jo Jokes',
    bio: 'Sketches and bad puns',
    pattern: 'mandelbrot',
    color: '#ff6482',
    clips: [
      { title: 'Meetings', caption: 'Every meeting ever #comedy #work' },
      { title: 'Group Chat', caption: 'The group chat at 2am #comedy #friends' },
      { title: 'Puns', caption: 'Pun-ishment #comedy #puns' },
      { title: 'Chef Jo', caption: 'Me cooking after watching @ben_cooks #comedy #food' },
      { title: 'Mondays', caption: 'Mondays, explained #comedy #relatable' },
    ],
  },
  {
    username: 'kai.science',
    displayName: 'Kai Explains',
    bio: 'Science in 30 seconds',
    pattern: 'cellauto',
    color: '#0a84ff',
    clips: [
      { title: 'Black Holes', caption: 'Black holes in 30 seconds #science #space' },
      { title: 'Fractals', caption: 'Why fractals repeat #science #math' },
      { title: 'Game of Life', caption: "Conway's game of life #science #math" },
      { title: 'Sound Waves', caption: 'See a sound wave #science #physics' },
      { title: 'Colour', caption: 'Why the sky is blue #science #physics' },
    ],
  },
  {
    username: 'lu.fashion',
    displayName: 'Lu Style',
    bio: 'Thrifted and proud',
    pattern: 'smptebars',
    color: '#ff375f',
    clips: [
      { title: 'Thrift Haul', caption: 'Thrift haul under $30 #fashion #thrift' },
      { title: '3 Ways', caption: 'One jacket, three ways #fashion #style' },
      { title: 'Colours', caption: 'Colour blocking 101 #fashion #color' },
      { title: 'Upcycle', caption: 'Upcycled jeans #fashion #diy' },
      { title: 'OOTD', caption: 'Outfit of the day #fashion #ootd' },
    ],
  },
];
