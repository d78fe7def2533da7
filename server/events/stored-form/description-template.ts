/**
 * Descriptions (and failure reasons) are stored as templates: the host's text with each personal
 * value of the event replaced by a reference to it, `{subject.name}`, so no personal value is baked
 * into free text. Literal braces are doubled (`{{`, `}}`). Reads render the template with the
 * values still held; an erased one renders as ERASED_MARKER.
 */
export const ERASED_MARKER = '[erased]';

export interface TemplateValue {
  key: string;
  text: string;
}

/** Shorter values would turn ordinary words into references ("A", "I"). */
const MIN_REFERENCED_LENGTH = 2;
const WORD_CHARACTER = /[\p{L}\p{N}_]/u;

/**
 * The template of `text`: every whole-word occurrence of a value becomes its reference, longer
 * values first ("Max Member" before "Max"), so a name inside a longer one is never split.
 */
export function toTemplate(text: string, values: readonly TemplateValue[]): string {
  const matches: Array<{ start: number; end: number; key: string }> = [];
  const candidates = values.filter((value) => value.text.length >= MIN_REFERENCED_LENGTH).sort((a, b) => b.text.length - a.text.length);
  for (const candidate of candidates) {
    for (let start = text.indexOf(candidate.text); start !== -1; start = text.indexOf(candidate.text, start + 1)) {
      const end = start + candidate.text.length;
      if (!isWholeWord(text, start, end)) continue;
      if (matches.some((match) => start < match.end && match.start < end)) continue;
      matches.push({ start, end, key: candidate.key });
    }
  }
  if (matches.length === 0 && !/[{}]/.test(text)) return text;
  matches.sort((a, b) => a.start - b.start);
  let template = '';
  let position = 0;
  for (const match of matches) {
    template += escapeBraces(text.slice(position, match.start)) + `{${match.key}}`;
    position = match.end;
  }
  return template + escapeBraces(text.slice(position));
}

/** `valueOf` answers undefined for an erased (or unknown) reference. */
export function renderTemplate(template: string, valueOf: (key: string) => string | undefined): string {
  if (!/[{}]/.test(template)) return template;
  let text = '';
  for (let index = 0; index < template.length; index++) {
    const character = template[index]!;
    if ((character === '{' || character === '}') && template[index + 1] === character) {
      text += character;
      index++;
    } else if (character === '{') {
      const close = template.indexOf('}', index);
      if (close === -1) return text + template.slice(index);
      text += valueOf(template.slice(index + 1, close)) ?? ERASED_MARKER;
      index = close;
    } else text += character;
  }
  return text;
}

/** The keys a template references, in order. */
export function templateReferences(template: string): string[] {
  const keys: string[] = [];
  renderTemplate(template, (key) => {
    keys.push(key);
    return '';
  });
  return keys;
}

function escapeBraces(text: string): string {
  return text.replace(/[{}]/g, (brace) => brace + brace);
}

function isWholeWord(text: string, start: number, end: number): boolean {
  const before = start > 0 ? text[start - 1]! : '';
  const after = end < text.length ? text[end]! : '';
  return !(before && WORD_CHARACTER.test(before)) && !(after && WORD_CHARACTER.test(after));
}
