"""A confusion matrix: rows are the true classes, columns what the model said; the diagonal
(right answers) green, the rest red where not zero."""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QColor
from PyQt5.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem


class ConfusionTable(QTableWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.setMinimumHeight(90)

    def show_matrix(self, classes: list[str], matrix: list[list[int]]) -> None:
        self.clear()
        self.setRowCount(len(classes))
        self.setColumnCount(len(classes))
        self.setVerticalHeaderLabels(classes)
        self.setHorizontalHeaderLabels(classes)
        for i, row in enumerate(matrix):
            for j, count in enumerate(row):
                item = QTableWidgetItem(str(count))
                item.setTextAlignment(Qt.AlignCenter)
                if i == j:
                    item.setBackground(QColor(200, 235, 200))
                elif count:
                    item.setBackground(QColor(245, 200, 200))
                self.setItem(i, j, item)

    def counts(self) -> list[list[int]]:
        return [
            [int(self.item(i, j).text()) for j in range(self.columnCount())]
            for i in range(self.rowCount())
        ]
