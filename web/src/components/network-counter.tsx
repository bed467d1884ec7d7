/**
 * The live length counter of one target in the network's own unit, with the network's own error
 * messages when the text (or images, or link) breaks its rules.
 */
import { useTranslation } from 'react-i18next';
import type { ValidationResult } from '../../../src/connectors/connector';
import { formatNumber } from '../i18n/format';

/** Counter and errors for one target; `result` null when the UI has no validator for the network. */
export function NetworkCounter({ label, result, fallbackLength }: { label: string; result: ValidationResult | null; fallbackLength: number }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const invalid = result != null && !result.valid;
  return (
    <div className={`network-counter${invalid ? ' network-counter-invalid' : ''}`} data-state={invalid ? 'invalid' : 'valid'}>
      <span className="network-counter-label">{label}</span>
      <span className="network-counter-value" aria-label={t('composer.counter.label', { name: label })}>
        {result
          ? t('composer.counter.value', { length: formatNumber(result.length, lng), max: formatNumber(result.max, lng), unit: t(`composer.units.${result.unit}`, { defaultValue: result.unit }) })
          : formatNumber(fallbackLength, lng)}
      </span>
      {invalid && (
        <ul className="network-counter-errors" role="alert">
          {result.errors.map((e, i) => (
            <li key={`${e.code}-${i}`}>{e.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
