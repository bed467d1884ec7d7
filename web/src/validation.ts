/**
 * The browser-safe validators the composer runs, by connector id: the very functions the server's
 * connectors call, imported from their browser-safe modules. This map is the only place the UI names
 * networks; everything else asks {@link validatorFor}.
 */
import type { PostVariant, ValidationResult } from '../../src/connectors/connector';
import { validateBlueskyVariant } from '../../src/connectors/bluesky/bluesky-validate';

/** A connector's pure validate function. */
export type Validator = (variant: PostVariant) => ValidationResult;

const validators: Readonly<Record<string, Validator>> = {
  bluesky: validateBlueskyVariant,
};

/** The validator for a connector id; null when the UI has none (the server still checks). */
export function validatorFor(network: string): Validator | null {
  return Object.hasOwn(validators, network) ? validators[network]! : null;
}
