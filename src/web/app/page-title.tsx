import { Typography } from 'antd';
import { useEffect, type CSSProperties, type ReactNode } from 'react';

/**
 * The page's one h1 (screen readers list pages by it), drawn at the size of a section title so
 * the compact layout stays as it was; `large` for a page about one person (the customer's name).
 */
export function PageTitle({ children, large = false, style, testId }: { children: ReactNode; large?: boolean; style?: CSSProperties; testId?: string }) {
  // the window's title names the page too (browser tabs, history, screen readers on arrival);
  // not a customer's name, which would stay in the browser's history
  const text = typeof children === 'string' && !large ? children : null;
  useEffect(() => {
    if (!text) return;
    document.title = `${text} · Stratum`;
    return () => {
      document.title = 'Stratum';
    };
  }, [text]);
  return (
    <Typography.Title level={1} className={large ? 'page-title page-title--large' : 'page-title'} style={style} data-testid={testId}>
      {children}
    </Typography.Title>
  );
}

/** A section's title under the page's h1 (an h2), at antd's h5 size. */
export function SectionTitle({ children, style, testId }: { children: ReactNode; style?: CSSProperties; testId?: string }) {
  return (
    <Typography.Title level={2} className="section-title" style={style} data-testid={testId}>
      {children}
    </Typography.Title>
  );
}
