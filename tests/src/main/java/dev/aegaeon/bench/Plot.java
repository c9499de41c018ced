package dev.aegaeon.bench;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** PNG plots with JFreeChart, rendered headless. */
public final class Plot {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plot() {}

    /** Lines of y against x, one per series, with a dashed line at {@code threshold}. */
    public static void lines(Path file, String title, String xLabel, String yLabel, Map<String, Map<Double, Double>> series, double threshold)
            throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (var e : series.entrySet()) {
            XYSeries s = new XYSeries(e.getKey());
            e.getValue().forEach(s::add);
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        if (!Double.isNaN(threshold)) plot.addRangeMarker(new ValueMarker(threshold));
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 560);
    }

    /** Bars side by side per category, one colour per series ({@code series -> category -> value}). */
    public static void groupedBars(Path file, String title, String yLabel, Map<String, Map<String, Double>> series) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        series.forEach((name, values) -> values.forEach((category, v) -> data.addValue(v, name, category)));
        JFreeChart chart = ChartFactory.createBarChart(title, "", yLabel, data, PlotOrientation.VERTICAL, true, false, false);
        chart.getCategoryPlot().getDomainAxis().setMaximumCategoryLabelLines(2); // wrap, not elide, long labels
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 560);
    }

    /** Bars, one per category. */
    public static void bars(Path file, String title, String yLabel, Map<String, Double> values) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        new LinkedHashMap<>(values).forEach((k, v) -> data.addValue(v, yLabel, k));
        JFreeChart chart = ChartFactory.createBarChart(title, "", yLabel, data, PlotOrientation.VERTICAL, false, false, false);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 560);
    }
}
