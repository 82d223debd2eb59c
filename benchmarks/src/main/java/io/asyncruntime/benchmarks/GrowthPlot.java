package io.asyncruntime.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Draws the growth curves: W1's time per task and W4's memory per suspended task at 10k, 100k and 1M tasks, one
 * line per runtime, log-scaled task counts. Plain Java2D, headless, so the plot needs nothing installed.
 */
final class GrowthPlot {
    private static final int PANEL_W = 560;
    private static final int PANEL_H = 420;
    private static final int MARGIN_L = 80;
    private static final int MARGIN_R = 20;
    private static final int MARGIN_T = 70;
    private static final int MARGIN_B = 60;
    private static final Map<String, Color> COLORS = Map.of(
            BenchmarkSuite.FAST, new Color(0x1f77b4),
            BenchmarkSuite.CPYTHON, new Color(0xff7f0e),
            BenchmarkSuite.NODE, new Color(0x2ca02c),
            BenchmarkSuite.KOTLIN, new Color(0x9467bd),
            BenchmarkSuite.LIMIT, new Color(0x7f7f7f));

    private GrowthPlot() {
    }

    /** The curves as CSV: runtime, metric, tasks, value. */
    static String csv(Map<String, Map<String, Map<Integer, Double>>> curves) {
        StringBuilder b = new StringBuilder("runtime,metric,tasks,value\n");
        curves.forEach((runtime, metrics) -> metrics.forEach((metric, points) -> points.forEach((n, v) ->
                b.append(runtime).append(',').append(metric.replace(' ', '_')).append(',').append(n).append(',')
                        .append(String.format(Locale.ROOT, "%.6g", v)).append('\n'))));
        return b.toString();
    }

    static void write(Map<String, Map<String, Map<Integer, Double>>> curves, Path png) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(PANEL_W * 2, PANEL_H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        // Log scale for W1: the runtimes are an order of magnitude apart.
        panel(g, 0, "W1 spawn: time per task", "ns per task (log scale)", curves, List.of("W1 ns_per_task"), true);
        panel(g, PANEL_W, "W4 memory per suspended task", "bytes per task (solid heap, dashed RSS)", curves,
                List.of("W4 heap_bytes_per_task", "W4 rss_bytes_per_task"), false);
        g.dispose();
        try {
            ImageIO.write(image, "png", png.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void panel(Graphics2D g, int x0, String title, String yLabel,
            Map<String, Map<String, Map<Integer, Double>>> curves, List<String> metrics, boolean logY) {
        int left = x0 + MARGIN_L;
        int right = x0 + PANEL_W - MARGIN_R;
        int top = MARGIN_T;
        int bottom = PANEL_H - MARGIN_B;
        double xMin = Math.log10(BenchmarkSuite.GROWTH_SIZES[0]);
        double xMax = Math.log10(BenchmarkSuite.GROWTH_SIZES[BenchmarkSuite.GROWTH_SIZES.length - 1]);
        double yMax = 0;
        for (Map<String, Map<Integer, Double>> byMetric : curves.values()) {
            for (String m : metrics) {
                for (double v : byMetric.getOrDefault(m, Map.of()).values()) {
                    yMax = Math.max(yMax, v);
                }
            }
        }
        yMax = logY ? Math.pow(10, Math.ceil(Math.log10(Math.max(yMax, 10)))) : niceCeiling(yMax);
        Axis y = logY ? new Axis(true, 10, yMax) : new Axis(false, 0, yMax);

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, left, top - 42);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawRect(left, top, right - left, bottom - top);
        for (int n : BenchmarkSuite.GROWTH_SIZES) {
            int x = xPos(Math.log10(n), xMin, xMax, left, right);
            g.setColor(new Color(0xdddddd));
            g.drawLine(x, top, x, bottom);
            g.setColor(Color.BLACK);
            String label = n >= 1_000_000 ? (n / 1_000_000) + "M" : (n / 1_000) + "k";
            g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, bottom + 16);
        }
        g.drawString("tasks (log scale)", (left + right) / 2 - 45, bottom + 36);
        for (double v : y.ticks()) {
            int yy = y.position(v, top, bottom);
            g.setColor(new Color(0xdddddd));
            g.drawLine(left, yy, right, yy);
            g.setColor(Color.BLACK);
            String label = String.format(Locale.ROOT, "%,.0f", v);
            g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), yy + 4);
        }
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString(yLabel, -(top + bottom) / 2 - g.getFontMetrics().stringWidth(yLabel) / 2, x0 + 16);
        rotated.dispose();

        // The legend sits in one row above the plot, where no curve can hide it.
        int legendX = left;
        for (Map.Entry<String, Map<String, Map<Integer, Double>>> runtime : curves.entrySet()) {
            Color color = COLORS.getOrDefault(runtime.getKey(), Color.GRAY);
            boolean drawn = false;
            for (int m = 0; m < metrics.size(); m++) {
                Map<Integer, Double> points = runtime.getValue().get(metrics.get(m));
                if (points == null || points.isEmpty()) {
                    continue;
                }
                drawn = true;
                Stroke stroke = m == 0 ? new BasicStroke(2.5f)
                        : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {7f, 5f}, 0f);
                g.setStroke(stroke);
                g.setColor(color);
                Path2D line = new Path2D.Double();
                boolean first = true;
                for (Map.Entry<Integer, Double> p : points.entrySet()) {
                    int x = xPos(Math.log10(p.getKey()), xMin, xMax, left, right);
                    int yy = y.position(p.getValue(), top, bottom);
                    if (first) {
                        line.moveTo(x, yy);
                        first = false;
                    } else {
                        line.lineTo(x, yy);
                    }
                    g.fillOval(x - 4, yy - 4, 8, 8);
                }
                g.draw(line);
            }
            g.setStroke(new BasicStroke(1f));
            if (drawn) {
                g.setColor(color);
                g.fillRect(legendX, top - 19, 14, 10);
                g.setColor(Color.BLACK);
                g.drawString(runtime.getKey(), legendX + 18, top - 10);
                legendX += 26 + g.getFontMetrics().stringWidth(runtime.getKey());
            }
        }
    }

    private static int xPos(double logN, double min, double max, int left, int right) {
        int pad = 30;
        return (int) Math.round(left + pad + (logN - min) / (max - min) * (right - left - 2 * pad));
    }

    /* A vertical axis from min to max, linear or logarithmic. */
    private record Axis(boolean log, double min, double max) {
        int position(double v, int top, int bottom) {
            double f = log ? (Math.log10(Math.max(v, min)) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))
                    : (Math.max(v, min) - min) / (max - min);
            return (int) Math.round(bottom - f * (bottom - top));
        }

        List<Double> ticks() {
            java.util.ArrayList<Double> ticks = new java.util.ArrayList<>();
            if (log) {
                for (double v = min; v <= max * 1.0001; v *= 10) {
                    ticks.add(v);
                }
            } else {
                for (int i = 0; i <= 5; i++) {
                    ticks.add(min + (max - min) * i / 5);
                }
            }
            return ticks;
        }
    }

    /* The smallest 1, 2 or 5 times a power of ten at or above v, so the axis ticks are round numbers. */
    private static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 5, 10}) {
            if (step * magnitude >= v) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }
}
