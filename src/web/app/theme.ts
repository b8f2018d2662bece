import { theme, type ThemeConfig } from 'antd';

// Stratum's Ant Design theme: the bank's blue, compact type, and every text colour readable
// (WCAG 2.1 AA: 4.5:1 for text under 18pt; test/browser/accessibility.test.ts checks it with axe).
// antd's defaults miss it in a few places: links in #1677ff (4.1:1 on white), secondary text in
// rgba(0,0,0,0.45) (#8c8c8c, 3.4:1), and the light tags (gold, orange, green, cyan, lime, yellow,
// volcano), whose text is the palette's 7th step on its 1st (gold 2.8:1). The ratios below are on
// white, and on the tag's own background for the tags.

/** The bank's blue: 6.5:1 on white, 5.8:1 on the menu's selected background. */
export const BANK_BLUE = '#1d5fa6';

/** Text colours of state, for numbers and badges drawn outside antd's tags (all ≥ 4.5:1 on white, and white on them). */
export const STATE_HEX = { red: '#cf1322', green: '#237804', blue: BANK_BLUE, purple: '#531dab', orange: '#ad4e00', gold: '#874d00', grey: '#595959' } as const;

const DARKER_TAG_TEXT = { gold: '#874d00', orange: '#ad4e00', green: '#237804', cyan: '#006d75', lime: '#3f6600', yellow: '#876800', volcano: '#ad2102' } as const;
const TAG_TEXT = Object.fromEntries(Object.entries(DARKER_TAG_TEXT).flatMap(([colour, hex]) => [[`${colour}7`, hex], [`${colour}-7`, hex]]));

export const THEME: ThemeConfig = {
  algorithm: theme.defaultAlgorithm,
  // Ant Design's component styles come from its static style sheet (antd/dist/antd.css, imported by
  // main.tsx), not generated and injected by its CSS-in-JS while the first screen renders (which
  // cost more main-thread time than React itself). The sheet reads the theme through CSS variables,
  // which antd still writes from the tokens below, under this key's class.
  zeroRuntime: true,
  cssVar: { key: 'stratum-theme' },
  token: {
    colorPrimary: BANK_BLUE,
    colorInfo: BANK_BLUE,
    borderRadius: 4,
    fontSize: 13,
    // links: the bank's blue, darker when hovered or pressed
    colorLink: BANK_BLUE,
    colorLinkHover: '#174d87',
    colorLinkActive: '#0f3a68',
    // secondary and description text: 6.2:1 on white, ≥ 5:1 on the page's grey; placeholders 4.7:1
    colorTextSecondary: 'rgba(0, 0, 0, 0.68)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
    colorTextDescription: 'rgba(0, 0, 0, 0.62)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)',
    colorTextLabel: 'rgba(0, 0, 0, 0.68)',
    // the light tags' text: one or two steps darker than antd's (2.5–4.4:1 → ≥ 5:1); each palette
    // step has two names (gold7, 'gold-7') and both become the CSS variable --ant-gold-7
    ...TAG_TEXT,
    // status colours used as text (Typography type, Alert/Result text, status tags, Statistic)
    colorSuccessText: '#237804',
    colorWarningText: '#ad4e00',
    colorErrorText: '#cf1322',
    colorInfoText: BANK_BLUE,
  },
  components: {
    Layout: { headerBg: '#0f2f57', headerHeight: 48, headerPadding: '0 16px', siderBg: '#ffffff' },
  },
};
