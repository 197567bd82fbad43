DROP TABLE change_log_pruned;
DROP TABLE index_positions;
