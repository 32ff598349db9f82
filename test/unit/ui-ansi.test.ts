// The web UI's log colours: ANSI SGR codes become runs with classes, never markup, and every
// other escape sequence disappears.
import { expect, test } from 'vitest';
import { parseAnsi } from '../../ui/parts/ansi.js';

test('plain text is one run without classes', () => {
  expect(parseAnsi('hello <b>')).toEqual([{ text: 'hello <b>', classes: [] }]);
});

test('colours, bright colours, bold and reset', () => {
  expect(parseAnsi('\u001b[31mred\u001b[0m plain \u001b[1;92mbold green\u001b[39m bold')).toEqual([
    { text: 'red', classes: ['ansi-fg-1'] },
    { text: ' plain ', classes: [] },
    { text: 'bold green', classes: ['ansi-fg-10', 'ansi-bold'] },
    { text: ' bold', classes: ['ansi-bold'] },
  ]);
});

test('256-colour codes map their first sixteen; true colour and cursor moves are dropped', () => {
  expect(parseAnsi('\u001b[38;5;4mblue\u001b[38;2;1;2;3m rgb\u001b[2K\u001b[1Gdone')).toEqual([
    { text: 'blue', classes: ['ansi-fg-4'] },
    { text: ' rgb', classes: [] },
    { text: 'done', classes: [] },
  ]);
});

test('OSC sequences (terminal titles, links) leave no trace', () => {
  expect(parseAnsi('\u001b]0;title\u0007text\u001b]8;;http://x\u001b\\link')).toEqual([
    { text: 'text', classes: [] },
    { text: 'link', classes: [] },
  ]);
});
