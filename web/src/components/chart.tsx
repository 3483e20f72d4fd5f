import { useEffect, useRef } from 'react';
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';

// Only the pieces the analytics page draws (Chart.js is tree-shakeable when registered piecemeal).
Chart.register(
  LineController,
  BarController,
  DoughnutController,
  LineElement,
  PointElement,
  BarElement,
  ArcElement,
  CategoryScale,
  LinearScale,
  Filler,
  Tooltip,
  Legend,
);
Chart.defaults.color = '#9b9ba6';
Chart.defaults.borderColor = '#2c2c34';
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** A Chart.js chart on a canvas; rebuilt when `config` changes (pass a memoised config). */
export function ChartView({ config, label, testId, height = 200 }: { config: ChartConfiguration; label: string; testId?: string; height?: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = new Chart(ref.current, { ...config, options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options } });
    return () => chart.destroy();
  }, [config]);
  return (
    <div className="dv-chart" style={{ height }} data-testid={testId}>
      <canvas ref={ref} role="img" aria-label={label} />
    </div>
  );
}
