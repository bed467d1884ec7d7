/**
 * The language switch: changes the UI at once and, when signed in, saves the choice to the user's
 * profile (PATCH /api/v1/me) so every device opens in it.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import { isLocale, locales } from '../i18n/index';

/** A labelled <select> of the shipped languages, each named in its own language. */
export function LanguageSwitch({ persist }: { persist: boolean }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const id = useId();
  const [failed, setFailed] = useState(false);

  const change = async (value: string) => {
    if (!isLocale(value)) return;
    setFailed(false);
    await i18n.changeLanguage(value);
    document.documentElement.lang = value;
    if (!persist) return;
    try {
      await unwrap(client.api.v1.me.$patch({ json: { locale: value } }));
    } catch {
      setFailed(true);
    }
  };

  return (
    <div className="language-switch">
      <label htmlFor={id} className="visually-hidden">
        {t('language.label')}
      </label>
      <select id={id} value={i18n.language} onChange={(e) => void change(e.target.value)}>
        {locales.map((l) => (
          <option key={l} value={l} lang={l}>
            {t(`language.${l}`)}
          </option>
        ))}
      </select>
      {failed && (
        <span className="field-error" role="alert">
          {t('language.saveFailed')}
        </span>
      )}
    </div>
  );
}
