import { Select } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { customersApi } from './customers.api.js';

// A customer picked by what was typed (name, customer number, phone tail), among the customers of
// the user's scope (the customer list's search). Used wherever a form names a customer: a
// complaint, a family link on the 360 page.

export interface CustomerSearchProps {
  value?: string;
  onChange?: (v: string) => void;
  placeholder: string;
  ariaLabel: string;
  testId: string;
  /** offer the typed text as a customer number as it is (a walk-in customer of someone else is not in the search) */
  typedNumberLabel?: (id: string) => string;
  /** customers not to offer (the customer the form is about) */
  exclude?: readonly string[];
}

export function CustomerSearch({ value, onChange, placeholder, ariaLabel, testId, typedNumberLabel, exclude = [] }: CustomerSearchProps) {
  const [options, setOptions] = useState<{ value: string; label: string }[]>([]);
  const [loading, setLoading] = useState(false);
  const pending = useRef<AbortController | null>(null);
  const search = (typed: string) => {
    pending.current?.abort();
    const q = typed.trim();
    if (q.length < 1) return setOptions([]);
    const byNumber = typedNumberLabel && /^[A-Za-z0-9]{4,40}$/.test(q) ? [{ value: q, label: typedNumberLabel(q) }] : [];
    setOptions(byNumber);
    const controller = new AbortController();
    pending.current = controller;
    setLoading(true);
    customersApi
      .list({ q, branchId: undefined, aumMin: undefined, aumMax: undefined, vipCard: undefined, openedAfter: undefined, sort: undefined, page: 1, pageSize: 10 }, controller.signal)
      .then((r) => {
        const found = r.items.filter((c) => !exclude.includes(c.customerId)).map((c) => ({ value: c.customerId, label: `${c.customerId} ${c.name}${c.phone ? ` · ${c.phone}` : ''}` }));
        setOptions([...found, ...byNumber.filter((b) => !found.some((f) => f.value === b.value))]);
      })
      .catch(() => setOptions(byNumber))
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
  };
  useEffect(() => () => pending.current?.abort(), []);
  return (
    <Select
      showSearch
      filterOption={false}
      onSearch={search}
      loading={loading}
      value={value}
      onChange={onChange}
      options={options}
      placeholder={placeholder}
      aria-label={ariaLabel}
      data-testid={testId}
    />
  );
}
