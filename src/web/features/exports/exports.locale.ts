// The export button's and "My exports" strings; zh-CN.ts and en.ts take them in under `exports`
// (same keys, checked by type).

export const exportsZh = {
  starting: '正在提交导出…',
  queued: '排队中',
  running: '正在导出',
  progress: '导出进度',
  rows: '{{done}} / {{total}} 行',
  rowsDone: '{{done}} 行',
  download: '下载 {{name}}',
  failed: '导出失败',
  expired: '已过期',
  again: '重新导出',
  mine: '我的导出',
  mineTitle: '我的导出（近 7 天，文件保留 24 小时）',
  empty: '近 7 天没有导出',
  refresh: '刷新',
  kinds: { customer_info: '个人客户信息梳理表', contact_log: '递进沟通表', audit: '审计日志', opportunities: '商机管理表' },
  statuses: { queued: '排队中', running: '导出中', done: '已完成', failed: '失败', expired: '已过期' },
  createdAt: '提交时间',
  note: '导出在后台生成，完成后可在此或“我的导出”中下载；下载会记入审计日志。',
};

export const exportsEn: typeof exportsZh = {
  starting: 'Starting the export…',
  queued: 'Waiting its turn',
  running: 'Exporting',
  progress: 'Export progress',
  rows: '{{done}} of {{total}} rows',
  rowsDone: '{{done}} rows',
  download: 'Download {{name}}',
  failed: 'The export failed',
  expired: 'Expired',
  again: 'Export again',
  mine: 'My exports',
  mineTitle: 'My exports (last 7 days; files are kept 24 hours)',
  empty: 'No exports in the last 7 days',
  refresh: 'Refresh',
  kinds: { customer_info: 'Customer information sheet', contact_log: 'Contact log sheet', audit: 'Audit trail', opportunities: 'Opportunity sheet' },
  statuses: { queued: 'Queued', running: 'Running', done: 'Done', failed: 'Failed', expired: 'Expired' },
  createdAt: 'Started',
  note: 'The export is made in the background; download it here or from "My exports" when it is done. Downloads are recorded in the audit trail.',
};
