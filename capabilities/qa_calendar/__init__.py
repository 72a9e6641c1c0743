"""The QA calendar (framework 9.3's audit schedule table): import, `calendar` in chat."""
