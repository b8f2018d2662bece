import { GlobalOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentLanguage, switchLanguage } from './i18n.js';

/** One button that switches between 中文 and English; it reads the language it switches to. */
export function LanguageSwitch({ ghost = false }: { ghost?: boolean }) {
  const { t } = useTranslation();
  const next = currentLanguage() === 'zh-CN' ? 'en' : 'zh-CN';
  return (
    <Button
      data-testid="lang-switch"
      size="small"
      ghost={ghost}
      icon={<GlobalOutlined />}
      title={t('app.language')}
      lang={next}
      onClick={() => void switchLanguage(next)}
    >
      {t('app.switchTo')}
    </Button>
  );
}
