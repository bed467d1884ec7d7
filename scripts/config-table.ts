/**
 * Renders the README's configuration table from the config module's declarations, so the table can
 * never drift: `npx tsx scripts/config-table.ts` prints it, and a test checks the README contains it.
 */
import { settingDocs } from '../src/config/config';

/** The markdown table of every setting. */
export function renderConfigTable(): string {
  const rows = settingDocs.map((s) => `| \`${s.name}\` | ${s.default} | ${s.description}${s.secret ? ' Also `' + s.name + '_FILE`.' : ''} |`);
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(renderConfigTable());
