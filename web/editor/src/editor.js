// CodeMirror 6 for the bpfplay editor: both assembly syntaxes highlighted, line
// numbers, undo/redo, search, diagnostics at line and column, a breakpoint gutter and
// the current line. Rust holds the EditorView as an opaque handle.
import { EditorView, basicSetup } from 'codemirror';
import { EditorState, StateEffect, StateField, RangeSet } from '@codemirror/state';
import { Decoration, GutterMarker, gutter } from '@codemirror/view';
import { StreamLanguage, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { setDiagnostics as setLint, lintGutter } from '@codemirror/lint';
import { tags } from '@lezer/highlight';

// Both syntaxes: `mov %r0, 1` and `r0 = *(u32 *)(r1 +4)`, comments `;` `#` `//`.
const ebpf = StreamLanguage.define({
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match(/^(;|\/\/)/) || (stream.sol() || /\s/.test(stream.string.charAt(stream.pos - 1))) && stream.match('#')) {
      stream.skipToEnd();
      return 'comment';
    }
    if (stream.match(/^%?[rw](10|[0-9])\b/)) return 'variableName';
    if (stream.match(/^-?(0x[0-9a-fA-F]+|[0-9]+)\b/)) return 'number';
    if (stream.match(/^[A-Za-z_.][\w.]*:/)) return 'labelName';
    if (stream.match(/^(if|goto|gotol|call|callx|exit|lock|ll|skb|map_fd|be16|be32|be64|le16|le32|le64|bswap16|bswap32|bswap64)\b/)) return 'keyword';
    if (stream.match(/^\*\((u8|u16|u32|u64|s8|s16|s32) \*\)/)) return 'typeName';
    if (stream.match(/^[a-z][a-z0-9]*\b/)) return 'keyword';
    if (stream.match(/^(s?[<>]{1,2}=?|[-+*/|&^%!=]=?)/)) return 'operator';
    stream.next();
    return null;
  },
});

const highlight = HighlightStyle.define([
  { tag: tags.comment, color: '#7f8a9a', fontStyle: 'italic' },
  { tag: tags.variableName, color: '#4fb3d9' },
  { tag: tags.number, color: '#d19a66' },
  { tag: tags.keyword, color: '#c678dd' },
  { tag: tags.labelName, color: '#e5c07b', fontWeight: 'bold' },
  { tag: tags.typeName, color: '#98c379' },
  { tag: tags.operator, color: '#56b6c2' },
]);

// Breakpoints: a set of line markers the gutter shows; clicks go to Rust.
const breakpointEffect = StateEffect.define({ map: (v, m) => ({ pos: m.mapPos(v.pos), on: v.on }) });
const breakpointMarker = new (class extends GutterMarker { toDOM() { return document.createTextNode('●'); } })();
const breakpointField = StateField.define({
  create: () => RangeSet.empty,
  update(set, tr) {
    set = set.map(tr.changes);
    for (const e of tr.effects) {
      if (!e.is(breakpointEffect)) continue;
      set = e.value.on
        ? set.update({ add: [breakpointMarker.range(e.value.pos)] })
        : set.update({ filter: (from) => from !== e.value.pos });
    }
    return set;
  },
});

// The line the debugger is on.
const currentLineEffect = StateEffect.define();
const currentLineField = StateField.define({
  create: () => Decoration.none,
  update(deco, tr) {
    deco = deco.map(tr.changes);
    for (const e of tr.effects) {
      if (!e.is(currentLineEffect)) continue;
      deco = e.value > 0 && e.value <= tr.state.doc.lines
        ? Decoration.set([Decoration.line({ class: 'cm-exec-line' }).range(tr.state.doc.line(e.value).from)])
        : Decoration.none;
    }
    return deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

// Characters inserted at once above which a change is a paste, whatever made it (a
// drop, execCommand('insertText'), a middle click): no typing to wait for.
const PASTE_MIN_CHARS = 64;

// Whether an update pasted text (verified at once) rather than typed it (verified once
// typing pauses).
function isPaste(u) {
  if (u.transactions.some((tr) => tr.isUserEvent('input.paste') || tr.isUserEvent('input.drop'))) return true;
  let inserted = 0;
  u.changes.iterChanges((_fromA, _toA, _fromB, _toB, text) => { inserted += text.length; });
  return inserted >= PASTE_MIN_CHARS;
}

export function createEditor(parent, doc, onChange, onGutterClick, onGutterDoubleClick) {
  const lineOf = (view, block) => view.state.doc.lineAt(block.from).number;
  const breakpointGutter = gutter({
    class: 'cm-bp-gutter',
    markers: (v) => v.state.field(breakpointField),
    initialSpacer: () => breakpointMarker,
    domEventHandlers: {
      mousedown(view, block) { onGutterClick(lineOf(view, block)); return true; },
      dblclick(view, block) { onGutterDoubleClick(lineOf(view, block)); return true; },
    },
  });
  return new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        breakpointField,
        breakpointGutter,
        basicSetup,
        lintGutter(),
        currentLineField,
        ebpf,
        syntaxHighlighting(highlight),
        EditorView.theme({ '&': { height: '100%' }, '.cm-scroller': { fontFamily: 'ui-monospace, monospace', fontSize: '12.5px' } }),
        EditorView.updateListener.of((u) => { if (u.docChanged) onChange(u.state.doc.toString(), isPaste(u)); }),
      ],
    }),
  });
}

export function destroyEditor(view) { view.destroy(); }
export function getDoc(view) { return view.state.doc.toString(); }

export function setDoc(view, text) {
  if (view.state.doc.toString() !== text) {
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  }
}

// [{line, col, message, severity}] with 1-based line and column.
export function setDiagnostics(view, diags) {
  const doc = view.state.doc;
  const out = [];
  for (const d of diags) {
    if (d.line < 1 || d.line > doc.lines) continue;
    const line = doc.line(d.line);
    const from = Math.min(line.from + Math.max(d.col - 1, 0), line.to);
    const word = doc.sliceString(from, line.to).match(/^\S*/)[0].length;
    out.push({ from, to: Math.max(from + word, Math.min(from + 1, line.to)), severity: d.severity, message: d.message });
  }
  view.dispatch(setLint(view.state, out));
}

export function setCurrentLine(view, line) {
  view.dispatch({ effects: currentLineEffect.of(line) });
  if (line > 0 && line <= view.state.doc.lines) {
    view.dispatch({ effects: EditorView.scrollIntoView(view.state.doc.line(line).from, { y: 'nearest' }) });
  }
}

// Shows exactly these lines as breakpoints.
export function setBreakpoints(view, lines) {
  const doc = view.state.doc;
  const effects = [];
  view.state.field(breakpointField).between(0, doc.length, (from) => { effects.push(breakpointEffect.of({ pos: from, on: false })); });
  for (const l of lines) {
    if (l >= 1 && l <= doc.lines) effects.push(breakpointEffect.of({ pos: doc.line(l).from, on: true }));
  }
  view.dispatch({ effects });
}
