// The Apache ECharts build the Explorer serves (static/vendor/echarts.min.js), made by scripts/vendor_js.sh.
// Only what the Explorer's pages draw is bundled (about 0.7 MB instead of the full 1.1 MB build): add a chart
// or component here, run scripts/vendor_js.sh, and commit the new file.
import * as echarts from "echarts/core";
import { BarChart, FunnelChart, HeatmapChart, LineChart, PieChart, SankeyChart, ScatterChart } from "echarts/charts";
import {
  DatasetComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  TransformComponent,
  VisualMapComponent
} from "echarts/components";
import { LabelLayout } from "echarts/features";
import { CanvasRenderer, SVGRenderer } from "echarts/renderers";

echarts.use([
  BarChart, FunnelChart, HeatmapChart, LineChart, PieChart, SankeyChart, ScatterChart,
  DatasetComponent, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent,
  TooltipComponent, TransformComponent, VisualMapComponent, LabelLayout, CanvasRenderer, SVGRenderer
]);
window.echarts = echarts;
