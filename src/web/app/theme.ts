import { theme, type ThemeConfig } from 'antd';

/** Stratum's Ant Design theme: the bank's blue, compact type. */
export const THEME: ThemeConfig = {
  algorithm: theme.defaultAlgorithm,
  token: { colorPrimary: '#1d5fa6', borderRadius: 4, fontSize: 13 },
  components: { Layout: { headerBg: '#0f2f57', headerHeight: 48, headerPadding: '0 16px', siderBg: '#ffffff' } },
};
