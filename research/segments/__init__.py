"""Market segmentation: rule-based and clustered segments, profiles, sizing and attractiveness."""
