/**
 * Saved replies with `{{variables}}`. The output is plain text for a network post, never HTML: values
 * are inserted verbatim, but only once and never re-scanned, so a display name like "{{account.handle}}"
 * cannot expand into something else; unknown variables are refused when the reply is saved.
 */

/** Variables a saved reply may use. */
export const templateVariables = ['author.name', 'author.handle', 'account.handle', 'account.name', 'network', 'message.text', 'member.name'] as const;
export type TemplateVariable = (typeof templateVariables)[number];

const placeholder = /\{\{\s*([a-z]+(?:\.[a-z]+)*)\s*\}\}/gi;

/** Variable names used in `text` that Herald does not know. */
export function unknownVariables(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(placeholder)) if (!(templateVariables as readonly string[]).includes(m[1]!.toLowerCase())) out.add(m[1]!);
  return [...out];
}

/** Replaces each `{{variable}}` once with its value (empty when unknown at render time). */
export function renderTemplate(text: string, values: Partial<Record<TemplateVariable, string | null>>): string {
  return text.replace(placeholder, (_m, name: string) => {
    const v = values[name.toLowerCase() as TemplateVariable];
    // Control characters from a network profile would end up in our public reply: drop them.
    return (v ?? '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  });
}
