/**
 * Checks that follow from a connector's declarations alone (`supports`, `optionFields`), run on top of
 * the connector's own `validate`: a poll for a network without polls, a thread for one without threads,
 * too many or the wrong kind of media, options the network does not declare or of the wrong type.
 * Generic code never knows a network; it only reads what the connector declared. Browser-safe (no
 * node: imports), so the composer can run exactly the same checks.
 */
import type { AnyConnector, OptionField, PostVariant, ValidationContext, ValidationIssue, ValidationResult } from './connector';

/** True when `mimeType` matches one of `patterns` (`image/png`, or a family such as `image/*`). */
export function mediaTypeAccepted(mimeType: string, patterns: readonly string[]): boolean {
  const type = mimeType.toLowerCase().split(';')[0]!.trim();
  return patterns.some((p) => {
    const pattern = p.toLowerCase();
    if (pattern === '*/*' || pattern === type) return true;
    return pattern.endsWith('/*') && type.startsWith(pattern.slice(0, -1));
  });
}

function describeOptionType(f: OptionField): string {
  if (f.type === 'boolean') return 'true or false';
  if (f.type === 'select') return `one of ${(f.choices ?? []).map((c) => `"${c.value}"`).join(', ')}`;
  return 'text';
}

/**
 * Most media items for this account: the server's announced `networkLimits.maxMedia` when there is
 * one (a Mastodon server may allow more than the network's usual 4), else `supports.maxMedia`.
 */
export function maxMediaFor(supports: AnyConnector['supports'], context?: ValidationContext): number {
  const announced = context?.networkLimits?.maxMedia;
  return typeof announced === 'number' && Number.isFinite(announced) && announced >= 0 ? announced : supports.maxMedia;
}

/** Problems with the variant that the connector's declarations alone reveal. */
export function declarationIssues(
  connector: Pick<AnyConnector, 'displayName' | 'supports' | 'optionFields'>,
  variant: PostVariant,
  context?: ValidationContext,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const name = connector.displayName;
  const supports = { ...connector.supports, maxMedia: maxMediaFor(connector.supports, context) };
  if (variant.poll && !supports.polls) {
    issues.push({ code: 'polls_unsupported', message: `${name} posts cannot have a poll; remove the poll for this account`, field: 'poll' });
  }
  if ((variant.thread?.length ?? 0) > 0 && !supports.threads) {
    issues.push({ code: 'threads_unsupported', message: `${name} does not publish threads; remove the follow-up parts for this account`, field: 'thread' });
  }
  const media = variant.media ?? [];
  if (media.length > supports.maxMedia) {
    issues.push({
      code: 'media_count',
      message: supports.maxMedia === 0 ? `${name} posts cannot carry images or other media` : `${name} takes at most ${supports.maxMedia} media items per post; this one has ${media.length}`,
      field: 'media',
    });
  }
  for (const [i, m] of media.entries()) {
    if (supports.maxMedia > 0 && !mediaTypeAccepted(m.mimeType, supports.mediaTypes)) {
      issues.push({ code: 'media_type', message: `${name} does not take ${m.mimeType} files (item ${i + 1}); it takes ${supports.mediaTypes.join(', ')}`, field: 'media', index: i });
    }
  }
  const fields = connector.optionFields ?? [];
  for (const [key, value] of Object.entries(variant.options ?? {})) {
    const f = fields.find((x) => x.name === key);
    if (!f) {
      const known = fields.map((x) => x.name);
      issues.push({
        code: 'unknown_option',
        message: known.length ? `${name} has no option "${key}" (its options: ${known.join(', ')})` : `${name} has no post options; remove "${key}"`,
        field: 'options',
      });
      continue;
    }
    const ok =
      f.type === 'boolean' ? typeof value === 'boolean' : f.type === 'select' ? typeof value === 'string' && (f.choices ?? []).some((c) => c.value === value) : typeof value === 'string';
    if (!ok) issues.push({ code: 'option_value', message: `${name} option "${key}" must be ${describeOptionType(f)}`, field: 'options' });
  }
  return issues;
}

/**
 * True when the connector's own issues already cover `d`, so the person does not read the same
 * problem twice in different words: the same code, or (for the poll, the thread, the media count,
 * one media item, the options) an issue of the connector about that same thing.
 */
function coveredBy(own: ValidationIssue[], d: ValidationIssue): boolean {
  return own.some((e) => {
    if (e.code === d.code && (e.field === undefined || e.field === d.field) && e.index === d.index) return true;
    if (d.field === 'poll' || d.field === 'thread') return e.field === d.field;
    if (d.field === 'media') return d.index === undefined ? e.field === 'media' && e.index === undefined : e.field === 'media' && e.index === d.index;
    if (d.field === 'options') return e.field === 'options' || /option/.test(e.code);
    return false;
  });
}

/**
 * The connector's own validation plus the declaration checks, in the `herald validate --json`
 * contract. A declaration issue the connector already reported in its own words is not repeated.
 */
export function validateWithDeclarations(connector: AnyConnector, variant: PostVariant, context?: ValidationContext): ValidationResult {
  const result = connector.validate(variant, context);
  const extra = declarationIssues(connector, variant, context).filter((d) => !coveredBy(result.errors, d));
  if (extra.length === 0) return result;
  const errors = [...result.errors, ...extra];
  return { ...result, valid: false, errors };
}
