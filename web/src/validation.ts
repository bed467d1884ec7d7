/**
 * The browser-safe validators the composer runs, by connector id: the very functions the server's
 * connectors call, imported from their browser-safe modules. This map is the only place the UI names
 * networks; everything else asks {@link validatorFor}.
 */
import type { PostVariant, ValidationContext, ValidationResult } from '../../src/connectors/connector';
import { validateBlueskyVariant } from '../../src/connectors/bluesky/bluesky-validate';
import { validateMastodonVariant } from '../../src/connectors/mastodon/mastodon-validate';
import { validateOkVariant } from '../../src/connectors/ok/ok-validate';
import { validateTelegramVariant } from '../../src/connectors/telegram/telegram-validate';
import { validateVkVariant } from '../../src/connectors/vk/vk-validate';

/** A connector's pure validate function; `context` carries the account's server limits. */
export type Validator = (variant: PostVariant, context?: ValidationContext) => ValidationResult;

const validators: Readonly<Record<string, Validator>> = {
  bluesky: validateBlueskyVariant,
  mastodon: validateMastodonVariant,
  telegram: validateTelegramVariant,
  vk: validateVkVariant,
  ok: validateOkVariant,
};

/** The validator for a connector id; null when the UI has none (the server still checks). */
export function validatorFor(network: string): Validator | null {
  return Object.hasOwn(validators, network) ? validators[network]! : null;
}
