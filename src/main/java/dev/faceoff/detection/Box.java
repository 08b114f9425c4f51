package dev.faceoff.detection;

/** An axis-aligned box in image pixels, corners (x1, y1) top-left and (x2, y2) bottom-right. */
public record Box(double x1, double y1, double x2, double y2) {

    public double width() {
        return Math.max(0, x2 - x1);
    }

    public double height() {
        return Math.max(0, y2 - y1);
    }

    public double area() {
        return width() * height();
    }

    public double centerX() {
        return (x1 + x2) / 2;
    }

    public double centerY() {
        return (y1 + y2) / 2;
    }

    public double iou(Box other) {
        double w = Math.min(x2, other.x2) - Math.max(x1, other.x1);
        double h = Math.min(y2, other.y2) - Math.max(y1, other.y1);
        if (w <= 0 || h <= 0) {
            return 0;
        }
        double intersection = w * h;
        return intersection / (area() + other.area() - intersection);
    }

    public Box clip(int imageWidth, int imageHeight) {
        return new Box(clamp(x1, imageWidth), clamp(y1, imageHeight), clamp(x2, imageWidth), clamp(y2, imageHeight));
    }

    private static double clamp(double v, int max) {
        return Math.max(0, Math.min(max, v));
    }
}
