// SPDX-License-Identifier: MIT
#pragma once

// Helpers of the sorted list models (members, rooms): where a row goes when its sort key changed,
// in the terms of QAbstractItemModel::beginMoveRows, and the move itself.

#include <algorithm>
#include <vector>

namespace Palaver::SortedRows {

//! Row before which `v[row]` must go (beginMoveRows' destination) now that its key changed, or
//! -1 when it is still in place. The other rows are sorted by `less`.
template<typename T, typename Less> int moveDestination(const std::vector<T> &v, int row, Less less)
{
    const T &item = v[row];
    if (row > 0 && less(item, v[row - 1]))
        return int(std::lower_bound(v.begin(), v.begin() + row, item, less) - v.begin());
    if (row + 1 < int(v.size()) && less(v[row + 1], item))
        return int(std::lower_bound(v.begin() + row + 1, v.end(), item, less) - v.begin());
    return -1;
}

//! Moves `v[row]` before `destination` (as beginMoveRows means it); returns its new row.
template<typename T> int move(std::vector<T> &v, int row, int destination)
{
    if (destination < row) {
        std::rotate(v.begin() + destination, v.begin() + row, v.begin() + row + 1);
        return destination;
    }
    std::rotate(v.begin() + row, v.begin() + row + 1, v.begin() + destination);
    return destination - 1;
}

} // namespace Palaver::SortedRows
