/**
 * A tiny HTML builder for server-rendered reports: every string child and attribute value is escaped,
 * so text from networks (post text, handles) can never become markup. Only `raw()` bypasses escaping,
 * and it is used solely for markup this module or the SVG chart code generated from numbers.
 */

/** Markup that is already safe to emit. */
export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

/** A child of an element: text (escaped), safe markup, or nothing. */
export type Child = string | number | SafeHtml | null | undefined | false | Child[];

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c]!);
}

/** Marks generated markup as safe (never pass user text here). */
export function raw(html: string): SafeHtml {
  return new SafeHtml(html);
}

const voidTags = new Set(['br', 'hr', 'img', 'meta', 'link', 'col']);

function render(child: Child): string {
  if (child === null || child === undefined || child === false) return '';
  if (Array.isArray(child)) return child.map(render).join('');
  if (child instanceof SafeHtml) return child.html;
  return escapeHtml(String(child));
}

/** An element: `h('td', {class: 'num'}, '12')`. Attribute names must be plain words. */
export function h(tag: string, attrs: Record<string, string | number | boolean | null | undefined> | null, ...children: Child[]): SafeHtml {
  if (!/^[a-z][a-z0-9-]*$/.test(tag)) throw new Error(`bad tag ${tag}`);
  let open = `<${tag}`;
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (!/^[a-z][a-z0-9-:]*$/i.test(name)) throw new Error(`bad attribute ${name}`);
    if (value === null || value === undefined || value === false) continue;
    open += value === true ? ` ${name}` : ` ${name}="${escapeHtml(String(value))}"`;
  }
  open += '>';
  return raw(voidTags.has(tag) ? open : `${open}${render(children)}</${tag}>`);
}

/** Concatenates children into one safe fragment. */
export function fragment(...children: Child[]): SafeHtml {
  return raw(render(children));
}
