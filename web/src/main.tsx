/**
 * Browser entry point: one API client and one i18next instance for the page.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { createApi } from './api/client';
import { ApiProvider } from './api/context';
import { App } from './app';
import { createI18n } from './i18n/index';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
const i18n = createI18n();
document.documentElement.lang = i18n.language;

createRoot(root).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <ApiProvider api={createApi()}>
        <App />
      </ApiProvider>
    </I18nextProvider>
  </StrictMode>,
);
