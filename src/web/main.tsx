import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { setNetworkMessage } from './app/api.js';
import { App } from './app/app.js';
import i18next from 'i18next';
import { setupI18n } from './app/i18n.js';
import './app/global.css';

const syncNetworkMessage = () => setNetworkMessage(i18next.t('errors.network'));

void setupI18n().then(() => {
  syncNetworkMessage();
  i18next.on('languageChanged', syncNetworkMessage);
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root');
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});
